/*
 * mailbox.c - one message at a time out of mailbox exports.
 *
 * Gzip files and streams (stdin) go through zlib's gz reader, which reads
 * plain data as it is and gzip decompressed; a regular file that does not
 * start with gzip's magic is read directly (one copy fewer).
 * A file whose first line starts with "From " is an mbox: a new message
 * starts at a "From " line that follows a blank line (or starts the file);
 * that blank line belongs to the mbox, not to the message.  Body lines that
 * were quoted as ">From ", ">>From " ... lose one '>' (mboxrd; for mboxo
 * exports this is also right except for a line that really began ">From ",
 * which mboxo cannot tell apart).  Any other file is one message.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "intake.h"
#include "mailbox.h"

#define RBUF 65536
#define MAX_DEPTH 32

struct entry {
	char *path;
	const char *error;	/* static: found while walking (not a regular file ...) */
};

struct mx_mailbox {
	struct entry *q;
	size_t nq, cap, qi;
	uint64_t total;		/* sum of the file sizes (compressed), 0: unknown */
	uint64_t done;		/* bytes of finished files */

	/* the open file: through zlib, or directly */
	gzFile g;
	int fd;			/* a plain regular file read directly, or -1 */
	uint64_t fdoff;		/* bytes read from fd */
	struct entry *cur;
	int is_mbox, file_done, compressed;
	uint64_t index;
	uint64_t pos;		/* decompressed offset of rbuf[rpos] */
	char rbuf[RBUF];
	size_t rlen, rpos;
	int eof;
	const char *read_error;
	int line_start;		/* the next segment starts a line */
	int have_sep;		/* a "From " line was read: a message follows */
	uint64_t sep_off;

	char *msg;
	size_t mlen, mcap;
	int too_large;
	char err[256];
};

static int
push(struct mx_mailbox *mb, const char *path, const char *error)
{
	if (mb->nq == mb->cap) {
		size_t nc = mb->cap ? mb->cap * 2 : 64;
		struct entry *nq = realloc(mb->q, nc * sizeof *nq);
		if (nq == NULL)
			return -1;
		mb->q = nq;
		mb->cap = nc;
	}
	char *p = strdup(path);
	if (p == NULL)
		return -1;
	mb->q[mb->nq].path = p;
	mb->q[mb->nq].error = error;
	mb->nq++;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
is_dir(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;
	if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
		return 0;
	return lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int walk(struct mx_mailbox *mb, const char *dir, int depth);

/* A name found inside a directory. */
static int
add_found(struct mx_mailbox *mb, const char *dir, const char *name, int depth)
{
	char p[4096];
	if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, name) >= sizeof p)
		return push(mb, dir, "path too long");
	struct stat st;
	if (lstat(p, &st) != 0)
		return push(mb, p, NULL);	/* reported when opened */
	if (S_ISDIR(st.st_mode))
		return walk(mb, p, depth + 1);
	if (S_ISLNK(st.st_mode)) {
		/* follow links to files, never to directories (loops) */
		if (stat(p, &st) != 0 || !S_ISREG(st.st_mode))
			return 0;
	} else if (!S_ISREG(st.st_mode)) {
		return 0;		/* sockets, fifos, devices met while walking */
	}
	mb->total += (uint64_t)st.st_size;
	return push(mb, p, NULL);
}

static int
walk(struct mx_mailbox *mb, const char *dir, int depth)
{
	if (depth > MAX_DEPTH)
		return push(mb, dir, "directories nested too deep (more than 32 levels)");
	DIR *d = opendir(dir);
	if (d == NULL)
		return push(mb, dir, NULL);	/* the error is reported when opened */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **nn = realloc(names, nc * sizeof *nn);
			if (nn == NULL) {
				rc = -1;
				break;
			}
			names = nn;
			cap = nc;
		}
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof *names, by_name);
	int maildir = is_dir(dir, "cur") || is_dir(dir, "new");
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *nm = names[i];
		if (maildir) {
			/* cur/ and new/ hold messages; tmp/ is half-delivered; Maildir++
			 * sub-folders are ".Name" directories */
			if (strcmp(nm, "cur") == 0 || strcmp(nm, "new") == 0 ||
			    (nm[0] == '.' && is_dir(dir, nm)))
				rc = add_found(mb, dir, nm, depth);
			continue;
		}
		/* hidden files, Thunderbird's .msf indexes: not mail */
		if (nm[0] == '.' || ends_with(nm, ".msf"))
			continue;
		rc = add_found(mb, dir, nm, depth);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

struct mx_mailbox *
mx_mailbox_open(char *const *paths, size_t npaths)
{
	struct mx_mailbox *mb = calloc(1, sizeof *mb);
	if (mb == NULL)
		return NULL;
	mb->fd = -1;
	int rc = 0, unknown = 0;
	for (size_t i = 0; rc == 0 && i < npaths; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				rc = walk(mb, paths[i], 0);
				continue;
			}
			if (S_ISREG(st.st_mode))
				mb->total += (uint64_t)st.st_size;
			else
				unknown = 1;
		} else {
			unknown = 1;
		}
		rc = push(mb, paths[i], NULL);
	}
	if (unknown)
		mb->total = 0;
	if (rc != 0) {
		mx_mailbox_close(mb);
		return NULL;
	}
	return mb;
}

static void
close_file(struct mx_mailbox *mb)
{
	if (mb->g != NULL) {
		mb->done += (uint64_t)gzoffset(mb->g);
		gzclose(mb->g);
	}
	if (mb->fd >= 0) {
		mb->done += mb->fdoff;
		close(mb->fd);
	}
	mb->g = NULL;
	mb->fd = -1;
	mb->cur = NULL;
}

/* Read more into rbuf; 0 when something was added. */
static int
fill(struct mx_mailbox *mb)
{
	if (mb->eof)
		return -1;
	if (mb->rpos > 0) {
		memmove(mb->rbuf, mb->rbuf + mb->rpos, mb->rlen - mb->rpos);
		mb->rlen -= mb->rpos;
		mb->rpos = 0;
	}
	if (mb->rlen == RBUF)
		return -1;
	if (mb->fd >= 0) {
		ssize_t r;
		do
			r = read(mb->fd, mb->rbuf + mb->rlen, RBUF - mb->rlen);
		while (r < 0 && errno == EINTR);
		if (r <= 0) {
			if (r < 0)
				mb->read_error = strerror(errno);
			mb->eof = 1;
			return -1;
		}
		mb->fdoff += (uint64_t)r;
		mb->rlen += (size_t)r;
		return 0;
	}
	int n = gzread(mb->g, mb->rbuf + mb->rlen, (unsigned)(RBUF - mb->rlen));
	int zerr;
	const char *zmsg = gzerror(mb->g, &zerr);
	if (n < 0 || (zerr != Z_OK && zerr != Z_BUF_ERROR) || (n == 0 && zerr == Z_BUF_ERROR)) {
		mb->read_error = zerr == Z_BUF_ERROR ? "the compressed file ends early (truncated)" :
		    zerr == Z_ERRNO ? strerror(errno) : zmsg;
		mb->eof = 1;
		return n > 0 ? 0 : -1;
	}
	if (n == 0) {
		mb->eof = 1;
		return -1;
	}
	mb->rlen += (size_t)n;
	return 0;
}

/*
 * The next piece of the file: a whole line with its newline, or, for a line
 * longer than the buffer, a piece of it.  *complete says the piece ends the
 * line.  Returns 0 at the end of the file.
 */
static int
segment(struct mx_mailbox *mb, const char **s, size_t *len, int *complete)
{
	for (;;) {
		const char *b = mb->rbuf + mb->rpos;
		size_t avail = mb->rlen - mb->rpos;
		const char *nl = memchr(b, '\n', avail);
		if (nl != NULL) {
			*s = b;
			*len = (size_t)(nl - b) + 1;
			*complete = 1;
			break;
		}
		if (fill(mb) == 0)
			continue;
		b = mb->rbuf + mb->rpos;
		avail = mb->rlen - mb->rpos;
		if (avail == 0)
			return 0;
		*s = b;
		*len = avail;
		*complete = mb->eof;
		break;
	}
	mb->rpos += *len;
	mb->pos += *len;
	return 1;
}

static void
append(struct mx_mailbox *mb, const char *s, size_t n)
{
	if (mb->too_large || n == 0)
		return;
	if (mb->mlen + n > MX_INTAKE_MAX_BYTES) {
		mb->too_large = 1;
		return;
	}
	if (mb->mlen + n > mb->mcap) {
		size_t nc = mb->mcap ? mb->mcap : 65536;
		while (nc < mb->mlen + n)
			nc *= 2;
		char *nm = realloc(mb->msg, nc);
		if (nm == NULL) {
			mb->too_large = 1;	/* reported as too large to hold */
			return;
		}
		mb->msg = nm;
		mb->mcap = nc;
	}
	memcpy(mb->msg + mb->mlen, s, n);
	mb->mlen += n;
}

/* The blank line before a separator, or at the end of an mbox, is the mbox's. */
static void
drop_blank_line(struct mx_mailbox *mb)
{
	if (mb->mlen >= 2 && memcmp(mb->msg + mb->mlen - 2, "\r\n", 2) == 0)
		mb->mlen -= 2;
	else if (mb->mlen >= 1)
		mb->mlen -= 1;
}

static int
is_from_line(const char *s, size_t n)
{
	return n >= 5 && memcmp(s, "From ", 5) == 0;
}

static int
open_next(struct mx_mailbox *mb, struct mx_mailbox_msg *m)
{
	struct entry *e = &mb->q[mb->qi++];
	memset(m, 0, sizeof *m);
	m->path = e->path;
	m->index = 1;
	if (e->error != NULL) {
		m->error = e->error;
		return 1;
	}
	int fd = strcmp(e->path, "-") == 0 ? dup(STDIN_FILENO) : open(e->path, O_RDONLY);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		fd = -1;
		errno = EISDIR;
	}
	unsigned char magic[2];
	if (fd >= 0 && S_ISREG(st.st_mode) &&
	    !(pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b)) {
		mb->fd = fd;
		mb->fdoff = 0;
	} else if (fd < 0 || (mb->g = gzdopen(fd, "rb")) == NULL) {
		snprintf(mb->err, sizeof mb->err, "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		m->error = mb->err;
		return 1;
	} else {
		gzbuffer(mb->g, 131072);
	}
	mb->cur = e;
	mb->eof = 0;
	mb->read_error = NULL;
	mb->rlen = mb->rpos = 0;
	mb->pos = 0;
	mb->index = 0;
	mb->line_start = 1;
	mb->have_sep = 0;
	fill(mb);
	mb->compressed = mb->g != NULL && !gzdirect(mb->g);
	mb->is_mbox = mb->rlen >= 5 && memcmp(mb->rbuf, "From ", 5) == 0;
	return 0;
}

/* Read one message of the open file into msg. */
static void
read_message(struct mx_mailbox *mb, struct mx_mailbox_msg *m)
{
	const char *s;
	size_t n;
	int complete, prev_blank = 0;
	mb->mlen = 0;
	mb->too_large = 0;
	m->path = mb->cur->path;
	m->compressed = mb->compressed;
	m->in_mbox = mb->is_mbox;
	m->index = ++mb->index;
	if (mb->is_mbox) {
		if (!mb->have_sep) {
			/* the file's first line */
			m->offset = mb->pos;
			if (segment(mb, &s, &n, &complete))
				mb->line_start = complete;
			while (!mb->line_start && segment(mb, &s, &n, &complete))
				mb->line_start = complete;
		} else {
			m->offset = mb->sep_off;
		}
		mb->have_sep = 0;
	}
	while (!mb->is_mbox) {
		/* one message per file: all of it, a buffer at a time */
		append(mb, mb->rbuf + mb->rpos, mb->rlen - mb->rpos);
		mb->pos += mb->rlen - mb->rpos;
		mb->rpos = mb->rlen;
		if (fill(mb) != 0)
			break;
	}
	while (mb->is_mbox) {
		uint64_t at = mb->pos;
		if (!segment(mb, &s, &n, &complete))
			break;
		int start = mb->line_start;
		mb->line_start = complete;
		if (mb->is_mbox && start && prev_blank && is_from_line(s, n)) {
			/* the next message's separator: skip the rest of its line */
			mb->have_sep = 1;
			mb->sep_off = at;
			while (!mb->line_start && segment(mb, &s, &n, &complete))
				mb->line_start = complete;
			drop_blank_line(mb);
			break;
		}
		if (mb->is_mbox && start && n > 5 && s[0] == '>') {
			size_t k = 0;
			while (k < n && s[k] == '>')
				k++;
			if (is_from_line(s + k, n - k)) {
				s++;
				n--;
			}
		}
		append(mb, s, n);
		prev_blank = start && complete && (n == 1 || (n == 2 && s[0] == '\r'));
	}
	if (mb->is_mbox && !mb->have_sep && mb->eof && prev_blank)
		drop_blank_line(mb);
	m->data = mb->msg;
	m->len = mb->mlen;
	if (mb->too_large) {
		snprintf(mb->err, sizeof mb->err, "message larger than %u MB, not analyzed",
		    MX_INTAKE_MAX_BYTES / (1024 * 1024));
		m->error = mb->err;
	} else if (mb->read_error != NULL && !mb->have_sep) {
		snprintf(mb->err, sizeof mb->err, "read error at byte %llu: %s",
		    (unsigned long long)mb->pos, mb->read_error);
		m->error = mb->err;
	}
	if (!mb->have_sep)
		mb->file_done = 1;
}

int
mx_mailbox_next(struct mx_mailbox *mb, struct mx_mailbox_msg *m)
{
	memset(m, 0, sizeof *m);
	if (mb->cur == NULL) {
		if (mb->qi >= mb->nq)
			return 0;
		if (open_next(mb, m) != 0)
			return 1;	/* an input that could not be opened */
		mb->file_done = 0;
	}
	read_message(mb, m);
	if (mb->file_done)
		close_file(mb);
	if (m->data == NULL)
		m->data = (char *)"";
	return 1;
}

void
mx_mailbox_progress(const struct mx_mailbox *mb, uint64_t *done, uint64_t *total)
{
	*done = mb->done + (mb->g != NULL ? (uint64_t)gzoffset(mb->g) : 0) +
	    (mb->fd >= 0 ? mb->fdoff : 0);
	*total = mb->total;
}

void
mx_mailbox_close(struct mx_mailbox *mb)
{
	if (mb == NULL)
		return;
	close_file(mb);
	for (size_t i = 0; i < mb->nq; i++)
		free(mb->q[i].path);
	free(mb->q);
	free(mb->msg);
	free(mb);
}
