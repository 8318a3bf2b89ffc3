/*
 * Fuzz target: mbox splitting (mboxo/mboxrd quoting, separators, a gzip
 * stream) as mxray batch reads a hostile export.  The bytes go into an
 * anonymous file the reader opens by path.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "mailbox.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("mbox", 0);
	if (fd < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	char *paths[] = { path };
	struct mx_mailbox *mb = mx_mailbox_open(paths, 1);
	if (mb == NULL) {
		close(fd);
		return 0;
	}
	struct mx_mailbox_msg m;
	uint64_t n = 0, last_off = 0, bytes = 0;
	int gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	while (mx_mailbox_next(mb, &m)) {
		n++;
		if (m.data == NULL || m.index != n || n > size + 1)
			abort();
		/* unquoting and separators only remove bytes, so without gzip nothing grows */
		bytes += m.len;
		if (!gz && bytes > size)
			abort();
		if (m.in_mbox) {
			if (n > 1 && m.offset <= last_off)
				abort();	/* separators move forward */
			if (!gz && m.offset >= size + (size == 0))
				abort();
			last_off = m.offset;
		}
	}
	if (n == 0)
		abort();	/* every input yields a record, even an empty one */
	mx_mailbox_close(mb);
	close(fd);
	return 0;
}
