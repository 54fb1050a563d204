/* Build against an installed libguestcore:
 *   cc pfn2mfn.c $(pkg-config --cflags --libs guestcore) -o pfn2mfn
 * Prints the dump's format and translates one pfn of a Xen PV dump. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <guestcore/guestcore.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s DUMP PFN\n", argv[0]);
		return 2;
	}
	struct gc_dump *d;
	struct gc_error *err = gc_dump_open(argv[1], NULL, &d);
	if (err) {
		fprintf(stderr, "%s\n", gc_error_string(err));
		gc_error_free(err);
		return 2;
	}
	printf("libguestcore %s: %s, %s\n", gc_version(), argv[1],
	       gc_format_name(gc_dump_format(d)));
	uint64_t mfn;
	err = gc_dump_pfn_to_mfn(d, strtoull(argv[2], NULL, 0), &mfn);
	if (err) {
		printf("%s\n", gc_error_string(err));
		gc_error_free(err);
	} else {
		printf("pfn %s -> mfn 0x%" PRIx64 "\n", argv[2], mfn);
	}
	gc_dump_close(d);
	return 0;
}
