/*
 * file.h - reads and writes of regular files, which never wait on the loop:
 * the page cache answers at once, or the helper pool makes the call.
 */
#ifndef UB_FILE_H
#define UB_FILE_H

#include <sys/types.h>
#include <sys/uio.h>

/* readv (offset -1: at the file position) or preadv of a regular file:
 * a count or -errno, as the blocking call would give. */
long ub_file_readv(int fd, const struct iovec *iov, int iovcnt, off_t offset);
/* The same for writev and pwritev. */
long ub_file_writev(int fd, const struct iovec *iov, int iovcnt, off_t offset);

#endif
