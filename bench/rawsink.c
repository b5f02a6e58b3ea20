/* rawsink: the machine's socket ceiling for bench/ingest.sh. It speaks logdaemon's wire protocol and does
 * nothing else: reads length-prefixed frames from a Unix socket and answers "OK\n" to each, one recv()
 * and one send() per burst, one thread per connection. No parsing, no validation, no storage — what is
 * left of the time is the kernel's and the load generator's.
 *
 *   rawsink SOCKET        (runs until SIGTERM / SIGINT; prints frames and bytes received on exit)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { kBufferBytes = 1 << 20, kRepliesMax = kBufferBytes / 4 * 3 };

static atomic_ulong total_frames;
static atomic_ulong total_bytes;
static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
  (void)sig;
  stopping = 1;
}

static int send_all(int fd, const char *data, size_t n) {
  while (n > 0) {
    ssize_t sent = send(fd, data, n, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    data += sent;
    n -= (size_t)sent;
  }
  return 0;
}

static void *serve_connection(void *arg) {
  int fd = (int)(intptr_t)arg;
  char *buffer = malloc(kBufferBytes);
  char *replies = malloc(kRepliesMax);
  size_t have = 0;        /* bytes buffered */
  size_t frame_left = 0;  /* payload bytes of the current frame still to skip */
  unsigned long frames = 0, bytes = 0;
  for (;;) {
    ssize_t got = recv(fd, buffer + have, kBufferBytes - have, 0);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      break;
    }
    bytes += (unsigned long)got;
    have += (size_t)got;
    size_t pos = 0, nreplies = 0;
    for (;;) {
      if (frame_left > 0) {
        size_t skip = have - pos < frame_left ? have - pos : frame_left;
        pos += skip;
        frame_left -= skip;
        if (frame_left > 0) break;
        memcpy(replies + nreplies, "OK\n", 3);
        nreplies += 3;
        ++frames;
        if (nreplies + 3 > kRepliesMax) {
          if (send_all(fd, replies, nreplies) != 0) goto done;
          nreplies = 0;
        }
        continue;
      }
      if (have - pos < 4) break;
      const unsigned char *h = (const unsigned char *)buffer + pos;
      frame_left = ((size_t)h[0] << 24) | ((size_t)h[1] << 16) | ((size_t)h[2] << 8) | h[3];
      pos += 4;
      if (frame_left == 0) {
        memcpy(replies + nreplies, "OK\n", 3);
        nreplies += 3;
        ++frames;
      }
    }
    memmove(buffer, buffer + pos, have - pos);
    have -= pos;
    if (nreplies > 0 && send_all(fd, replies, nreplies) != 0) break;
  }
done:
  atomic_fetch_add(&total_frames, frames);
  atomic_fetch_add(&total_bytes, bytes);
  close(fd);
  free(buffer);
  free(replies);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: rawsink SOCKET\n");
    return 2;
  }
  struct sockaddr_un address = {.sun_family = AF_UNIX};
  if (strlen(argv[1]) >= sizeof(address.sun_path)) {
    fprintf(stderr, "rawsink: socket path too long\n");
    return 2;
  }
  strcpy(address.sun_path, argv[1]);
  unlink(argv[1]);
  int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 ||
      listen(listener, 1024) != 0) {
    fprintf(stderr, "rawsink: cannot listen on %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  struct sigaction action = {.sa_handler = on_signal};
  sigaction(SIGTERM, &action, NULL);
  sigaction(SIGINT, &action, NULL);
  while (!stopping) {
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR) continue;
      break;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, serve_connection, (void *)(intptr_t)fd) != 0) {
      close(fd);
      continue;
    }
    pthread_detach(thread);
  }
  unlink(argv[1]);
  fprintf(stderr, "rawsink: %lu frames, %lu bytes\n", atomic_load(&total_frames), atomic_load(&total_bytes));
  return 0;
}
