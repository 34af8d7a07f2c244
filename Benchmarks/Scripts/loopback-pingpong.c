/* The floor under every MySQL round trip on this machine: one byte each way over TCP on 127.0.0.1, with the
 * server thread either sleeping in recv() (a thread wake per message, as a server without polling pays) or
 * polling with MSG_DONTWAIT (no wake). The difference is what `backtrack serve --busy-poll` saves.
 *
 *   cc -O2 -o /tmp/loopback-pingpong Benchmarks/Scripts/loopback-pingpong.c -lpthread
 *   /tmp/loopback-pingpong          # sleeping server
 *   /tmp/loopback-pingpong poll     # polling server
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { round_trips = 20000 };

static int polling;
static int listener;

static void *serve(void *unused) {
    (void)unused;
    int one = 1;
    int client = accept(listener, 0, 0);
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char byte[64];
    for (;;) {
        ssize_t got;
        if (polling) {
            do got = recv(client, byte, sizeof byte, MSG_DONTWAIT);
            while (got < 0 && errno == EAGAIN);
        } else {
            got = recv(client, byte, sizeof byte, 0);
        }
        if (got <= 0) break;
        send(client, byte, (size_t)got, 0);
    }
    close(client);
    return 0;
}

int main(int argc, char **argv) {
    polling = argc > 1;
    int one = 1;
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    listener = socket(AF_INET, SOCK_STREAM, 0);
    if (bind(listener, (struct sockaddr *)&address, length) != 0 || listen(listener, 1) != 0) {
        perror("listen");
        return 1;
    }
    getsockname(listener, (struct sockaddr *)&address, &length);
    pthread_t server;
    pthread_create(&server, 0, serve, 0);

    int client = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(client, (struct sockaddr *)&address, length) != 0) {
        perror("connect");
        return 1;
    }
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char byte[64] = {'x'};
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int trip = 0; trip < round_trips; trip++) {
        send(client, byte, 1, 0);
        if (recv(client, byte, sizeof byte, 0) <= 0) return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    close(client);
    pthread_join(server, 0);
    double nanoseconds = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("%s server: %.1f us per round trip (%d round trips)\n", polling ? "polling" : "sleeping",
           nanoseconds / round_trips / 1000, round_trips);
    return 0;
}
