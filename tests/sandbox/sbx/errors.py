"""Kubernetes `Status` failures as Python exceptions.

Every failure the API server reports is an ApiError carrying the HTTP code and
the `reason` a real API server would use, so clients that branch on `reason`
(kubectl, Patroni, the opsplan executor) see the same thing they would see on
OpenShift."""


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}

    def status(self):
        body = {"kind": "Status", "apiVersion": "v1", "metadata": {},
                "status": "Failure", "message": self.message,
                "reason": self.reason, "code": self.code}
        if self.details:
            body["details"] = self.details
        return body


def not_found(res, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (res.plural_group(), name),
                    {"name": name, "group": res.group, "kind": res.plural})


def already_exists(res, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (res.plural_group(), name),
                    {"name": name, "group": res.group, "kind": res.plural})


def conflict(res, name, why):
    return ApiError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": %s' % (res.plural_group(), name, why),
                    {"name": name, "group": res.group, "kind": res.plural})


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def invalid(res, name, message):
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (res.kind, name, message),
                    {"name": name, "group": res.group, "kind": res.kind})


def gone(message):
    return ApiError(410, "Expired", message)
