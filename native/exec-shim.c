/*
 * Gantry's exec shim for execs solved by BuildKit (src/runtime/docker/buildkit/buildkit-exec.ts; design:
 * docs/design-notes/performance.md, Decision 19).
 *
 *   exec-shim META NONCE COMMAND [ARG...]
 *
 * Runs COMMAND as the container API would start it (an executable looked up in PATH as runc does, never a shell,
 * docker's words and exit codes when it cannot start) and keeps its stdout, stderr and exit code in META/stdout,
 * META/stderr and META/exit (written last), while passing the output on as it comes: BuildKit streams the shim's own
 * stdout and stderr as the exec's log, which is how a run shows the output live. The files stay the exact record
 * (BuildKit's log stream may clip). The shim always exits 0 once it has written META/exit: the command's exit code is
 * a value, never a failed solve. NONCE is not used: it only makes each call's LLB its own.
 *
 * Static, no dependencies but libc, so it runs in any image (also one without a shell). As the container's first
 * process it ends the container when the command ends, as docker does: output a background child writes after that
 * is lost there too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static char meta_dir[4096];

static void write_all(int fd, const char *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, buf, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return; /* a log that cannot be written (a closed pipe) never stops the record */
    }
    buf += w;
    n -= (size_t)w;
  }
}

static int open_meta(const char *name) {
  char p[4200];
  snprintf(p, sizeof p, "%s/%s", meta_dir, name);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    dprintf(2, "gantry exec shim: cannot write %s: %s\n", p, strerror(errno));
    exit(111);
  }
  return fd;
}

/* The exit code last, so its file means the record is whole; then the shim is done. */
static void finish(int code) {
  char buf[16];
  int fd = open_meta("exit");
  int n = snprintf(buf, sizeof buf, "%d\n", code);
  write_all(fd, buf, (size_t)n);
  close(fd);
  exit(0);
}

/* Go's words for an errno (runc is Go; libc's strerror differs, musl's more so). */
static const char *go_error(int e) {
  switch (e) {
    case ENOENT: return "no such file or directory";
    case ENOTDIR: return "not a directory";
    case EACCES: return "permission denied";
    case ENOEXEC: return "exec format error";
    case ELOOP: return "too many levels of symbolic links";
    case ENAMETOOLONG: return "file name too long";
    case ETXTBSY: return "text file busy";
    case E2BIG: return "argument list too long";
    case ENOMEM: return "cannot allocate memory";
    case EISDIR: return "is a directory";
    case EPERM: return "operation not permitted";
    default: return strerror(e);
  }
}

/* runc's lookup (Go's exec.LookPath) before the container starts: a name with a slash as given, else the first PATH
 * entry that is a non-directory with an execute bit. 0, or the exit code docker gives with its message in msg. */
static int look_path(const char *name, char *out, size_t size, char *msg, size_t msg_size) {
  struct stat st;
  if (strchr(name, '/') != NULL) {
    snprintf(out, size, "%s", name);
    if (stat(out, &st) != 0) {
      int e = errno;
      snprintf(msg, msg_size, "exec: \"%s\": stat %s: %s\n", name, name, go_error(e));
      return e == EACCES ? 126 : 127;
    }
    if (S_ISDIR(st.st_mode) || (st.st_mode & 0111) == 0) {
      snprintf(msg, msg_size, "exec: \"%s\": permission denied\n", name);
      return 126;
    }
    return 0;
  }
  const char *path = getenv("PATH");
  if (path == NULL) path = DEFAULT_PATH;
  const char *p = path;
  for (;;) {
    const char *end = strchr(p, ':');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    if (len == 0)
      snprintf(out, size, "./%s", name);
    else
      snprintf(out, size, "%.*s/%s", (int)len, p, name);
    if (stat(out, &st) == 0 && !S_ISDIR(st.st_mode) && (st.st_mode & 0111) != 0) return 0;
    if (!end) break;
    p = end + 1;
  }
  snprintf(msg, msg_size, "exec: \"%s\": executable file not found in $PATH\n", name);
  return 127;
}

/* What the container API reports for a command that cannot start: its message as stderr, and its exit code. */
static void cannot_start(int out_err, const char *msg, int code) {
  write_all(out_err, msg, strlen(msg));
  write_all(2, msg, strlen(msg));
  finish(code);
}

static int chld_pipe[2];
static void on_chld(int sig) {
  (void)sig;
  int saved = errno;
  (void)!write(chld_pipe[1], "c", 1);
  errno = saved;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    dprintf(2, "usage: exec-shim META NONCE COMMAND [ARG...]\n");
    return 2;
  }
  snprintf(meta_dir, sizeof meta_dir, "%s", argv[1]);
  char **cmd = argv + 3;
  signal(SIGPIPE, SIG_IGN);

  int out_files[2] = {open_meta("stdout"), open_meta("stderr")};

  char exe[4200];
  char msg[4400];
  int code = look_path(cmd[0], exe, sizeof exe, msg, sizeof msg);
  if (code != 0) cannot_start(out_files[1], msg, code);

  int pipes[2][2];
  int errpipe[2];
  if (pipe2(pipes[0], O_CLOEXEC) != 0 || pipe2(pipes[1], O_CLOEXEC) != 0 ||
      pipe2(errpipe, O_CLOEXEC) != 0 || pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    dprintf(2, "gantry exec shim: pipe: %s\n", strerror(errno));
    return 111;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);

  pid_t pid = fork();
  if (pid < 0) {
    dprintf(2, "gantry exec shim: fork: %s\n", strerror(errno));
    return 111;
  }
  if (pid == 0) {
    signal(SIGPIPE, SIG_DFL);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, NULL);
    dup2(pipes[0][1], 1);
    dup2(pipes[1][1], 2);
    execv(exe, cmd);
    int e = errno;
    (void)!write(errpipe[1], &e, sizeof e);
    _exit(127);
  }
  close(pipes[0][1]);
  close(pipes[1][1]);
  close(errpipe[1]);

  int exec_errno = 0;
  ssize_t got;
  do got = read(errpipe[0], &exec_errno, sizeof exec_errno);
  while (got < 0 && errno == EINTR);
  close(errpipe[0]);
  if (got == (ssize_t)sizeof exec_errno) {
    /* found but not started (no #!, a missing interpreter): runc's init says so on stderr and exits 1 */
    waitpid(pid, NULL, 0);
    snprintf(msg, sizeof msg, "exec %s: %s\n", exe, go_error(exec_errno));
    cannot_start(out_files[1], msg, 1);
  }

  /* Copy both streams to their files and on to the log until the command exits; then what it wrote is in the pipes
   * and is drained, and the shim ends (a background child still holding a pipe does not keep it). */
  struct pollfd fds[3] = {
      {pipes[0][0], POLLIN, 0},
      {pipes[1][0], POLLIN, 0},
      {chld_pipe[0], POLLIN, 0},
  };
  char buf[65536];
  int status = 0;
  int exited = 0;
  while (!exited) {
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break; /* then the command's exit is waited for below */
    }
    for (int i = 0; i < 2; i++) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        write_all(out_files[i], buf, (size_t)n);
        write_all(1 + i, buf, (size_t)n);
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;
      }
    }
    if (fds[2].revents & POLLIN) {
      char drain[64];
      while (read(chld_pipe[0], drain, sizeof drain) > 0) {
      }
    }
    /* reap whatever exited (as the container's first process the shim inherits orphans) */
    for (;;) {
      int st;
      pid_t w = waitpid(-1, &st, WNOHANG);
      if (w <= 0) break;
      if (w == pid) {
        status = st;
        exited = 1;
      }
    }
  }
  while (!exited) {
    pid_t w = waitpid(pid, &status, 0);
    if (w == pid || (w < 0 && errno != EINTR)) exited = 1;
  }
  for (int i = 0; i < 2; i++) {
    if (fds[i].fd < 0) continue;
    fcntl(fds[i].fd, F_SETFL, O_NONBLOCK);
    for (;;) {
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        write_all(out_files[i], buf, (size_t)n);
        write_all(1 + i, buf, (size_t)n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      break;
    }
  }
  close(out_files[0]);
  close(out_files[1]);
  finish(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return 0;
}
