// berth-exec: starts one process inside a running container (`docker exec`) without a terminal,
// doing what `runc exec` does for it in a fraction of the time, or compiles a seccomp filter.
//
//   berth-exec compile < rules > filter.bpf
//   berth-exec run --pid P --start T [options] -- argv...      (env: the process's environment)
//
// `run` joins the container's namespaces (those of its init process P, whose start time in
// /proc/P/stat must be T), moves into its cgroups, applies rlimits, umask, oom_score_adj, the
// user and groups, the capability sets, no_new_privs and the seccomp filter, changes to the
// working directory and executes the command, in runc's order. It reports on fd 3: "pid N" once
// the command runs, or "error <message>" when it cannot start it (runc's messages), then waits
// for the process and exits with its status (128+n for signal n).
//
// Running it from a sealed memfd copy of itself keeps a process in the container from reaching
// the binary on the host through /proc/<pid>/exe (CVE-2019-5736).
//
// `compile` reads the daemon's rendering of the OCI seccomp object (see seccompRules in
// native-exec.ts) and writes the classic BPF program libseccomp makes of it, as runc would.

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define STATUS_FD 3
#define MAX_NS 8
#define MAX_CGROUPS 32
#define MAX_GROUPS 256
#define MAX_RLIMITS 32
#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

// strerror as Go words it, which runc's messages carry: "no such file or directory".
static const char *go_strerror(int err) {
  static char buf[128];
  snprintf(buf, sizeof buf, "%s", strerror(err));
  if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z')) buf[0] += 'a' - 'A';
  return buf;
}

static void report(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  ssize_t ignored = write(STATUS_FD, buf, n);
  (void)ignored;
}

static void die(const char *fmt, ...) {
  char msg[3000];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report("error %s", msg);
  _exit(255);
}

// ---- compile ---------------------------------------------------------------------------------

static uint32_t parse_action(const char *name, const char *ret) {
  int code = atoi(ret);
  if (!strcmp(name, "allow")) return SCMP_ACT_ALLOW;
  if (!strcmp(name, "errno")) return SCMP_ACT_ERRNO(code);
  if (!strcmp(name, "kill_thread")) return SCMP_ACT_KILL_THREAD;
  if (!strcmp(name, "kill_process")) return SCMP_ACT_KILL_PROCESS;
  if (!strcmp(name, "trap")) return SCMP_ACT_TRAP;
  if (!strcmp(name, "log")) return SCMP_ACT_LOG;
  fprintf(stderr, "unknown action %s\n", name);
  exit(2);
}

static enum scmp_compare parse_op(const char *name) {
  static const struct {
    const char *name;
    enum scmp_compare op;
  } ops[] = {{"NE", SCMP_CMP_NE}, {"LT", SCMP_CMP_LT}, {"LE", SCMP_CMP_LE},
             {"EQ", SCMP_CMP_EQ}, {"GE", SCMP_CMP_GE}, {"GT", SCMP_CMP_GT},
             {"MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(name, ops[i].name)) return ops[i].op;
  fprintf(stderr, "unknown operator %s\n", name);
  exit(2);
}

// Lines: "default <action> <errno>", "arch <name>", "rule <action> <errno> <syscall> <n>" followed
// by n "<index> <op> <value> <valueTwo>" groups on the same line. Syscalls libseccomp does not
// know are skipped, as runc skips them.
static int compile(void) {
  char line[8192];
  scmp_filter_ctx ctx = NULL;
  while (fgets(line, sizeof line, stdin)) {
    char *save = NULL;
    char *word = strtok_r(line, " \n", &save);
    if (!word) continue;
    if (!strcmp(word, "default")) {
      char *action = strtok_r(NULL, " \n", &save), *ret = strtok_r(NULL, " \n", &save);
      if (!action || !ret || ctx) goto bad;
      ctx = seccomp_init(parse_action(action, ret));
      if (!ctx || seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0) != 0) goto fail;
    } else if (!strcmp(word, "arch")) {
      char *name = strtok_r(NULL, " \n", &save);
      uint32_t arch = name ? seccomp_arch_resolve_name(name) : 0;
      if (!ctx || !arch) goto bad;
      int rc = seccomp_arch_add(ctx, arch);
      if (rc != 0 && rc != -EEXIST) goto fail;
    } else if (!strcmp(word, "rule")) {
      char *action = strtok_r(NULL, " \n", &save), *ret = strtok_r(NULL, " \n", &save);
      char *name = strtok_r(NULL, " \n", &save), *count = strtok_r(NULL, " \n", &save);
      if (!ctx || !action || !ret || !name || !count) goto bad;
      int n = atoi(count);
      if (n < 0 || n > 6) goto bad;
      struct scmp_arg_cmp args[6];
      for (int i = 0; i < n; i++) {
        char *index = strtok_r(NULL, " \n", &save), *op = strtok_r(NULL, " \n", &save);
        char *value = strtok_r(NULL, " \n", &save), *two = strtok_r(NULL, " \n", &save);
        if (!index || !op || !value || !two) goto bad;
        args[i].arg = (unsigned)atoi(index);
        args[i].op = parse_op(op);
        args[i].datum_a = strtoull(value, NULL, 10);
        args[i].datum_b = strtoull(two, NULL, 10);
      }
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      int rc = seccomp_rule_add_array(ctx, parse_action(action, ret), nr, (unsigned)n, args);
      if (rc != 0) {
        fprintf(stderr, "rule for %s: %s\n", name, go_strerror(-rc));
        return 1;
      }
    } else {
      goto bad;
    }
  }
  if (!ctx) goto bad;
  if (seccomp_export_bpf(ctx, STDOUT_FILENO) != 0) goto fail;
  seccomp_release(ctx);
  return 0;
bad:
  fprintf(stderr, "malformed rules\n");
  return 2;
fail:
  fprintf(stderr, "libseccomp refused the filter\n");
  return 1;
}

// ---- run -------------------------------------------------------------------------------------

struct rlimit_entry {
  int resource;
  struct rlimit limit;
};

struct plan {
  pid_t pid;
  unsigned long long start;
  const char *ns[MAX_NS];
  int ns_count;
  const char *cgroups[MAX_CGROUPS];
  int cgroup_count;
  uid_t uid;
  gid_t gid;
  gid_t groups[MAX_GROUPS];
  int group_count;
  uint64_t bounding, effective, permitted, inheritable, ambient;
  int no_new_privs;
  const char *seccomp;
  struct rlimit_entry rlimits[MAX_RLIMITS];
  int rlimit_count;
  int has_oom_score_adj;
  int oom_score_adj;
  mode_t umask;
  const char *cwd;
  char **argv;
};

// Re-executes from a sealed memfd copy unless already running from one.
static void ensure_sealed_copy(char **argv) {
  int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (self < 0) die("cannot open /proc/self/exe: %s", go_strerror(errno));
  int seals = fcntl(self, F_GET_SEALS);
  if (seals >= 0 && (seals & SEALS) == SEALS) {
    close(self);
    return;
  }
  int copy = memfd_create("berth-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (copy < 0) die("memfd_create: %s", go_strerror(errno));
  struct stat st;
  if (fstat(self, &st) < 0) die("stat of own binary: %s", go_strerror(errno));
  for (off_t done = 0; done < st.st_size;) {
    ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
    if (n <= 0) die("copying own binary: %s", n < 0 ? go_strerror(errno) : "short copy");
    done += n;
  }
  if (fcntl(copy, F_ADD_SEALS, SEALS) < 0) die("sealing own copy: %s", go_strerror(errno));
  close(self);
  fexecve(copy, argv, environ);
  die("re-executing own copy: %s", go_strerror(errno));
}

static uint64_t parse_u64(const char *s, int base) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(s, &end, base);
  if (errno || !end || *end || end == s) die("bad number '%s'", s);
  return v;
}

static void parse_plan(int argc, char **argv, struct plan *p) {
  memset(p, 0, sizeof *p);
  p->umask = 022;
  int i = 2;
  for (; i < argc; i++) {
    const char *opt = argv[i];
    if (!strcmp(opt, "--")) {
      i++;
      break;
    }
    if (i + 1 >= argc) die("option %s needs a value", opt);
    const char *v = argv[++i];
    if (!strcmp(opt, "--pid")) p->pid = (pid_t)parse_u64(v, 10);
    else if (!strcmp(opt, "--start")) p->start = parse_u64(v, 10);
    else if (!strcmp(opt, "--ns")) {
      if (p->ns_count == MAX_NS) die("too many namespaces");
      p->ns[p->ns_count++] = v;
    } else if (!strcmp(opt, "--cgroup")) {
      if (p->cgroup_count == MAX_CGROUPS) die("too many cgroups");
      p->cgroups[p->cgroup_count++] = v;
    } else if (!strcmp(opt, "--uid")) p->uid = (uid_t)parse_u64(v, 10);
    else if (!strcmp(opt, "--gid")) p->gid = (gid_t)parse_u64(v, 10);
    else if (!strcmp(opt, "--group")) {
      if (p->group_count == MAX_GROUPS) die("too many groups");
      p->groups[p->group_count++] = (gid_t)parse_u64(v, 10);
    } else if (!strcmp(opt, "--bounding")) p->bounding = parse_u64(v, 16);
    else if (!strcmp(opt, "--effective")) p->effective = parse_u64(v, 16);
    else if (!strcmp(opt, "--permitted")) p->permitted = parse_u64(v, 16);
    else if (!strcmp(opt, "--inheritable")) p->inheritable = parse_u64(v, 16);
    else if (!strcmp(opt, "--ambient")) p->ambient = parse_u64(v, 16);
    else if (!strcmp(opt, "--no-new-privs")) p->no_new_privs = !strcmp(v, "1");
    else if (!strcmp(opt, "--seccomp")) p->seccomp = v;
    else if (!strcmp(opt, "--rlimit")) {
      // resource:soft:hard, each a number (RLIM_INFINITY as 18446744073709551615)
      if (p->rlimit_count == MAX_RLIMITS) die("too many rlimits");
      char buf[128];
      snprintf(buf, sizeof buf, "%s", v);
      char *soft = strchr(buf, ':');
      char *hard = soft ? strchr(soft + 1, ':') : NULL;
      if (!soft || !hard) die("bad rlimit '%s'", v);
      *soft++ = 0;
      *hard++ = 0;
      struct rlimit_entry *e = &p->rlimits[p->rlimit_count++];
      e->resource = (int)parse_u64(buf, 10);
      e->limit.rlim_cur = parse_u64(soft, 10);
      e->limit.rlim_max = parse_u64(hard, 10);
    } else if (!strcmp(opt, "--oom-score-adj")) {
      p->has_oom_score_adj = 1;
      p->oom_score_adj = atoi(v);
    } else if (!strcmp(opt, "--umask")) p->umask = (mode_t)parse_u64(v, 8);
    else if (!strcmp(opt, "--cwd")) p->cwd = v;
    else die("unknown option %s", opt);
  }
  if (i >= argc) die("no command");
  if (p->pid <= 0) die("no --pid");
  if (p->start == 0) die("no --start");
  p->argv = &argv[i];
}

// The 22nd field of /proc/<pid>/stat: the process's start time, in clock ticks since boot.
static unsigned long long start_time(int proc_dir) {
  int fd = openat(proc_dir, "stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  if (!p) return 0;
  p++;
  for (int field = 3; field < 22 && p; field++) p = strchr(p + 1, ' ');
  return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int write_all(int fd, const char *s) {
  size_t len = strlen(s);
  return write(fd, s, len) == (ssize_t)len ? 0 : -1;
}

// exec.LookPath's rules (runc resolves the command this way): a name with a slash is used as it
// is; otherwise the first executable regular file of that name in $PATH. Returns NULL and sets
// *message when there is none.
#define NOT_EXECUTABLE (-1)
static int executable(const char *path, int *err) {
  struct stat st;
  if (stat(path, &st) < 0) {
    *err = errno;
    return 0;
  }
  if (!S_ISDIR(st.st_mode) && (st.st_mode & 0111)) return 1;
  *err = NOT_EXECUTABLE;
  return 0;
}

static const char *look_path(const char *file, char *found, size_t size, char *message,
                             size_t msize) {
  int err = 0;
  if (strchr(file, '/')) {
    if (executable(file, &err)) return file;
    if (err == NOT_EXECUTABLE) snprintf(message, msize, "exec: \"%s\": permission denied", file);
    else snprintf(message, msize, "exec: \"%s\": stat %s: %s", file, file, go_strerror(err));
    return NULL;
  }
  const char *path = getenv("PATH");
  if (path && *file) {
    const char *dir = path;
    for (;;) {
      const char *end = strchr(dir, ':');
      size_t len = end ? (size_t)(end - dir) : strlen(dir);
      if (len == 0) snprintf(found, size, "./%s", file);
      else snprintf(found, size, "%.*s/%s", (int)len, dir, file);
      if (executable(found, &err)) {
        if (len == 0 || found[0] != '/') {
          snprintf(message, msize,
                   "exec: \"%s\": cannot run executable found relative to current directory",
                   file);
          return NULL;
        }
        return found;
      }
      if (!end) break;
      dir = end + 1;
    }
  }
  snprintf(message, msize, "exec: \"%s\": executable file not found in $PATH", file);
  return NULL;
}

static void fail_child(int error_pipe, const char *fmt, ...) {
  char msg[3000];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n > 0) {
    ssize_t ignored = write(error_pipe, msg, strlen(msg));
    (void)ignored;
  }
  _exit(127);
}

static int cap_last(void) {
  int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
  char buf[16] = {0};
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0) close(fd);
  return n > 0 ? atoi(buf) : CAP_LAST_CAP;
}

static void load_filter(int error_pipe, struct sock_fprog *prog) {
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) != 0)
    fail_child(error_pipe, "error loading seccomp filter: %s", go_strerror(errno));
}

// The child: everything from joining the namespaces to exec, in runc's order (nsexec, then
// setns_init and finalizeNamespace).
static void child(struct plan *p, int ns_fds[], int cgroup_fds[], int oom_fd, int last_cap,
                  struct sock_fprog *filter, int error_pipe) {
  // Its own session and process group, as runc's nsexec makes every process.
  if (setsid() < 0) fail_child(error_pipe, "setsid failed: %s", go_strerror(errno));
  for (int i = 0; i < p->cgroup_count; i++)
    if (write_all(cgroup_fds[i], "0") < 0)
      fail_child(error_pipe, "joining cgroup %s: %s", p->cgroups[i], go_strerror(errno));
  for (int i = 0; i < p->cgroup_count; i++) close(cgroup_fds[i]);
  if (oom_fd >= 0) {
    char buf[16];
    snprintf(buf, sizeof buf, "%d", p->oom_score_adj);
    if (write_all(oom_fd, buf) < 0)
      fail_child(error_pipe, "setting oom_score_adj: %s", go_strerror(errno));
    close(oom_fd);
  }
  for (int i = 0; i < p->ns_count; i++) {
    if (!strcmp(p->ns[i], "pid")) continue;
    if (setns(ns_fds[i], 0) != 0)
      fail_child(error_pipe, "failed to join the %s namespace: %s", p->ns[i], go_strerror(errno));
    close(ns_fds[i]);
  }
  for (int i = 0; i < p->rlimit_count; i++)
    if (setrlimit(p->rlimits[i].resource, &p->rlimits[i].limit) != 0)
      fail_child(error_pipe, "error setting rlimit type %d: %s", p->rlimits[i].resource,
                 go_strerror(errno));
  umask(p->umask);
  if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    fail_child(error_pipe, "set nonewprivileges: %s", go_strerror(errno));
  // Without no_new_privs loading a filter needs CAP_SYS_ADMIN: before the capabilities go.
  if (filter && !p->no_new_privs) load_filter(error_pipe, filter);

  // finalizeNamespace: no descriptor but stdio survives the exec.
  if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    fail_child(error_pipe, "close_range: %s", go_strerror(errno));
  int chdir_later = 0;
  if (p->cwd && *p->cwd) {
    if (chdir(p->cwd) != 0) {
      if (errno == EACCES) chdir_later = 1;
      else
        fail_child(error_pipe, "chdir to cwd (\"%s\") set in config.json failed: %s", p->cwd,
                   go_strerror(errno));
    }
  }
  for (int cap = 0; cap <= last_cap; cap++)
    if (!(p->bounding & (1ULL << cap)) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
        errno != EINVAL)
      fail_child(error_pipe, "dropping capability %d: %s", cap, go_strerror(errno));
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    fail_child(error_pipe, "keepcaps: %s", go_strerror(errno));
  if (setgroups((size_t)p->group_count, p->groups) != 0)
    fail_child(error_pipe, "setgroups: %s", go_strerror(errno));
  if (setresgid(p->gid, p->gid, p->gid) != 0)
    fail_child(error_pipe, "setgid: %s", go_strerror(errno));
  if (setresuid(p->uid, p->uid, p->uid) != 0)
    fail_child(error_pipe, "setuid: %s", go_strerror(errno));
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
    fail_child(error_pipe, "keepcaps: %s", go_strerror(errno));
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {
      {(uint32_t)p->effective, (uint32_t)p->permitted, (uint32_t)p->inheritable},
      {(uint32_t)(p->effective >> 32), (uint32_t)(p->permitted >> 32),
       (uint32_t)(p->inheritable >> 32)}};
  if (syscall(SYS_capset, &header, data) != 0)
    fail_child(error_pipe, "capset: %s", go_strerror(errno));
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    fail_child(error_pipe, "clearing ambient capabilities: %s", go_strerror(errno));
  for (int cap = 0; cap <= last_cap; cap++)
    if ((p->ambient & (1ULL << cap)) &&
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      fail_child(error_pipe, "raising ambient capability %d: %s", cap, go_strerror(errno));
  if (chdir_later && chdir(p->cwd) != 0)
    fail_child(error_pipe, "chdir to cwd (\"%s\") set in config.json failed: %s", p->cwd,
               go_strerror(errno));

  char found[PATH_MAX], message[2048];
  const char *path = look_path(p->argv[0], found, sizeof found, message, sizeof message);
  if (!path) fail_child(error_pipe, "%s", message);
  // As close to the exec as possible, so that few system calls run under the filter.
  if (filter && p->no_new_privs) load_filter(error_pipe, filter);
  execve(path, p->argv, environ);
  fail_child(error_pipe, "exec %s: %s", path, go_strerror(errno));
}

static pid_t forward_to;
static void forward(int sig) {
  if (forward_to > 0) kill(forward_to, sig);
}

static int run(int argc, char **argv) {
  struct plan p;
  ensure_sealed_copy(argv);
  // Until the exec, no process in the container may read this one's memory or descriptors.
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) die("set non-dumpable: %s", go_strerror(errno));
  parse_plan(argc, argv, &p);

  char proc_path[64];
  snprintf(proc_path, sizeof proc_path, "/proc/%d", (int)p.pid);
  int proc_dir = open(proc_path, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (proc_dir < 0 || start_time(proc_dir) != p.start)
    die("container process %d is not running", (int)p.pid);

  int ns_fds[MAX_NS];
  int pid_ns = -1;
  for (int i = 0; i < p.ns_count; i++) {
    char rel[32];
    snprintf(rel, sizeof rel, "ns/%s", p.ns[i]);
    ns_fds[i] = openat(proc_dir, rel, O_RDONLY | O_CLOEXEC);
    if (ns_fds[i] < 0) die("opening %s of process %d: %s", rel, (int)p.pid, go_strerror(errno));
    if (!strcmp(p.ns[i], "pid")) pid_ns = ns_fds[i];
  }
  // Opened after the namespaces: the process was still the container's then.
  if (start_time(proc_dir) != p.start) die("container process %d is not running", (int)p.pid);
  close(proc_dir);

  int cgroup_fds[MAX_CGROUPS];
  for (int i = 0; i < p.cgroup_count; i++) {
    char file[PATH_MAX];
    snprintf(file, sizeof file, "%s/cgroup.procs", p.cgroups[i]);
    cgroup_fds[i] = open(file, O_WRONLY | O_CLOEXEC);
    if (cgroup_fds[i] < 0) die("opening %s: %s", file, go_strerror(errno));
  }

  struct sock_fprog filter = {0, NULL};
  if (p.seccomp) {
    int fd = open(p.seccomp, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size <= 0 ||
        st.st_size % sizeof(struct sock_filter) != 0 ||
        st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS)
      die("unusable seccomp filter %s", p.seccomp);
    filter.len = (unsigned short)(st.st_size / sizeof(struct sock_filter));
    filter.filter = malloc((size_t)st.st_size);
    if (!filter.filter || read(fd, filter.filter, (size_t)st.st_size) != st.st_size)
      die("reading seccomp filter %s", p.seccomp);
    close(fd);
  }
  int last_cap = cap_last();
  if (last_cap > 63) die("unexpected cap_last_cap %d", last_cap);

  if (pid_ns >= 0 && setns(pid_ns, CLONE_NEWPID) != 0)
    die("failed to join the pid namespace: %s", go_strerror(errno));

  int error_pipe[2];
  if (pipe2(error_pipe, O_CLOEXEC) != 0) die("pipe: %s", go_strerror(errno));
  int oom_fd = -1;
  sigset_t all, old;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &old);
  pid_t pid = fork();
  if (pid < 0) die("fork: %s", go_strerror(errno));
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(error_pipe[0]);
    if (p.has_oom_score_adj) {
      oom_fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      if (oom_fd < 0) fail_child(error_pipe[1], "oom_score_adj: %s", go_strerror(errno));
    }
    close(STATUS_FD);
    child(&p, ns_fds, cgroup_fds, oom_fd, last_cap, p.seccomp ? &filter : NULL, error_pipe[1]);
  }
  forward_to = pid;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = forward;
  int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
  for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
    sigaction(forwarded[i], &sa, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);

  close(error_pipe[1]);
  for (int i = 0; i < p.ns_count; i++) close(ns_fds[i]);
  for (int i = 0; i < p.cgroup_count; i++) close(cgroup_fds[i]);
  // The process's stdio is its own now; holding it here would delay the end of its output.
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);
  }

  char message[3000];
  size_t got = 0;
  for (;;) {
    ssize_t n = read(error_pipe[0], message + got, sizeof message - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += (size_t)n;
    if (got == sizeof message - 1) break;
  }
  message[got] = 0;
  close(error_pipe[0]);
  if (got == 0) report("pid %d", (int)pid);

  int status = 0;
  int waited;
  while ((waited = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (got) die("exec failed: unable to start container process: %s", message);
  if (waited < 0) die("waitpid: %s", go_strerror(errno));
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "compile")) return compile();
  if (argc >= 2 && !strcmp(argv[1], "run")) return run(argc, argv);
  fprintf(stderr, "usage: berth-exec compile < rules | berth-exec run [options] -- argv...\n");
  return 2;
}
