/*
 * nosocket.c - an LD_PRELOAD shim for tests/nosocket.py: every attempt to
 * open a socket or resolve a name is written to $MXRAY_NOSOCKET_LOG and
 * refused.  mxray's default mode must leave that log empty.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void
note(const char *what)
{
	const char *path = getenv("MXRAY_NOSOCKET_LOG");
	if (path == NULL)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return;
	ssize_t r = write(fd, what, strlen(what));
	r = write(fd, "\n", 1);
	(void)r;
	close(fd);
}

int
socket(int domain, int type, int protocol)
{
	(void)type;
	(void)protocol;
	note(domain == AF_UNIX ? "socket(AF_UNIX)" : "socket");
	errno = EACCES;
	return -1;
}

int
connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	(void)fd;
	(void)addr;
	(void)len;
	note("connect");
	errno = EACCES;
	return -1;
}

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	(void)service;
	(void)hints;
	(void)res;
	note(node ? node : "getaddrinfo");
	return EAI_FAIL;
}
