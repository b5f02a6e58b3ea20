/* httpsink: the HTTP ceiling for bench/http.sh, as rawsink is the socket's. It answers HTTP/1.1 POSTs on a
 * loopback TCP port and does nothing else: reads each request's head and its Content-Length bytes of body
 * and answers 200 — for /v1/logs an empty body (an ExportLogsServiceResponse with every log accepted), for
 * anything else {"accepted":N,"rejected":0,"errors":[]} with N the body's lines (what /api/v1/ingest says),
 * keep-alive, one thread per connection. No parsing, no validation, no storage: what is left of the time
 * is the kernel's and the load generator's (bench/http_load), so its rate says how much load the client
 * can drive on this machine.
 *
 *   httpsink PORT_FILE    listens on 127.0.0.1, an ephemeral port, written to PORT_FILE once listening;
 *                         runs until SIGTERM / SIGINT, then prints requests and bytes received
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

enum { kBufferBytes = 1 << 20 };

static atomic_ulong total_requests;
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

/* The value of header `name` (lower case, with its colon) in the head, or NULL. */
static const char *header_value(const char *head, size_t head_len, const char *name) {
  size_t name_len = strlen(name);
  for (const char *line = head; line < head + head_len;) {
    const char *end = memmem(line, (size_t)(head + head_len - line), "\r\n", 2);
    if (end == NULL) end = head + head_len;
    if ((size_t)(end - line) > name_len && strncasecmp(line, name, name_len) == 0) return line + name_len;
    line = end + 2;
  }
  return NULL;
}

static void *serve_connection(void *arg) {
  int fd = (int)(intptr_t)arg;
  char *buffer = malloc(kBufferBytes);
  size_t have = 0;
  unsigned long requests = 0, bytes = 0;
  for (;;) {
    /* The head. */
    char *head_end;
    while ((head_end = memmem(buffer, have, "\r\n\r\n", 4)) == NULL) {
      if (have == kBufferBytes) goto done;
      ssize_t got = recv(fd, buffer + have, kBufferBytes - have, 0);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        goto done;
      }
      have += (size_t)got;
      bytes += (unsigned long)got;
    }
    size_t head_len = (size_t)(head_end - buffer) + 4;
    const char *length_text = header_value(buffer, head_len, "content-length:");
    size_t length = length_text != NULL ? strtoull(length_text, NULL, 10) : 0;
    int otlp = have >= 14 && memcmp(buffer, "POST /v1/logs ", 14) == 0;
    /* The body: its lines are counted as they stream through the buffer. */
    size_t pos = head_len, left = length;
    unsigned long lines = 0;
    char last = '\n';
    for (;;) {
      size_t take = have - pos < left ? have - pos : left;
      const char *p = buffer + pos, *end = p + take;
      while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        ++lines;
        ++p;
      }
      if (take > 0) last = buffer[pos + take - 1];
      pos += take;
      left -= take;
      if (left == 0) break;
      have = pos = 0;
      ssize_t got = recv(fd, buffer, kBufferBytes, 0);
      if (got <= 0) {
        if (got < 0 && errno == EINTR) continue;
        goto done;
      }
      have = (size_t)got;
      bytes += (unsigned long)got;
    }
    if (length > 0 && last != '\n') ++lines;
    memmove(buffer, buffer + pos, have - pos);
    have -= pos;
    ++requests;
    char body[96], reply[256];
    int body_len = 0;
    body[0] = '\0';
    if (!otlp)
      body_len = snprintf(body, sizeof(body), "{\"accepted\":%lu,\"rejected\":0,\"errors\":[]}\n", lines);
    int reply_len = snprintf(reply, sizeof(reply),
                             "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s",
                             otlp ? "application/x-protobuf" : "application/json", body_len, body);
    if (send_all(fd, reply, (size_t)reply_len) != 0) break;
  }
done:
  atomic_fetch_add(&total_requests, requests);
  atomic_fetch_add(&total_bytes, bytes);
  close(fd);
  free(buffer);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: httpsink PORT_FILE\n");
    return 2;
  }
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  socklen_t address_len = sizeof(address);
  if (listener < 0 || bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 ||
      listen(listener, 1024) != 0 || getsockname(listener, (struct sockaddr *)&address, &address_len) != 0) {
    fprintf(stderr, "httpsink: cannot listen on 127.0.0.1: %s\n", strerror(errno));
    return 1;
  }
  char tmp[4096];
  snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
  FILE *port_file = fopen(tmp, "w");
  if (port_file == NULL || fprintf(port_file, "%u\n", ntohs(address.sin_port)) < 0 ||
      fclose(port_file) != 0 || rename(tmp, argv[1]) != 0) {
    fprintf(stderr, "httpsink: cannot write %s: %s\n", argv[1], strerror(errno));
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
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    pthread_t thread;
    if (pthread_create(&thread, NULL, serve_connection, (void *)(intptr_t)fd) != 0) {
      close(fd);
      continue;
    }
    pthread_detach(thread);
  }
  fprintf(stderr, "httpsink: %lu requests, %lu bytes\n", atomic_load(&total_requests),
          atomic_load(&total_bytes));
  return 0;
}
