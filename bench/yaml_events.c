/* yaml_events.c - the baseline for `opsplan lint`: read each file and pull
 * every libyaml event, nothing else.  Prints files, bytes and events so the
 * caller can check both programs saw the same input.
 * usage: yaml_events FILE... */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

static long events_of(const unsigned char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t e;
	long n = 0;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, text, len);
	for (;;) {
		if (!yaml_parser_parse(&p, &e)) {
			n = -1;
			break;
		}
		int end = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
		n++;
		if (end)
			break;
	}
	yaml_parser_delete(&p);
	return n;
}

int main(int argc, char **argv)
{
	long bytes = 0, events = 0, bad = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			return 2;
		}
		fseek(f, 0, SEEK_END);
		long len = ftell(f);
		rewind(f);
		unsigned char *buf = malloc((size_t)len + 1);
		if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 2;
		}
		fclose(f);
		long n = events_of(buf, (size_t)len);
		free(buf);
		if (n < 0)
			bad++;
		else
			events += n;
		bytes += len;
	}
	printf("%d %ld %ld %ld\n", argc - 1, bytes, events, bad);
	return 0;
}
