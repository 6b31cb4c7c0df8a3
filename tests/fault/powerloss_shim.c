/* powerloss_shim.c: LD_PRELOAD library for the power-loss test (tests/fault/test_powerloss.py).
 *
 * It records, for every file under $SLUICE_SHIM_DIR, how many bytes are known to be durable, and
 * which directory entries are. Just BEFORE a real sync runs it takes what the sync will cover
 * (everything written up to that moment is), and once the sync returns 0 it appends to the
 * journal $SLUICE_SHIM_JOURNAL (kept outside the data dir, opened O_APPEND; one write() per
 * line, so lines never interleave):
 *     S <size> <path>\n    fsync()/fdatasync() of a regular file: its first <size> bytes
 *     D 0 <path>\n         fsync()/fdatasync() of a directory: one line per entry in it (the
 *                          entry's name survives power loss; its content needs its own S)
 *     F 0 <dir>\n          syncfs(): the whole filesystem, so every file and entry under the
 *                          watched dir, followed by one S line per regular file and one D line
 *                          per entry (files and subdirectories)
 * Sizes and names taken before the call are conservative: bytes written or files created
 * concurrently, while the sync runs, count as not durable. ftruncate() appends
 *     T <length> <path>\n
 * (a shrink: the durable length cannot exceed the new length).
 *
 * After the broker is SIGKILLed, the test replays the journal, cuts every segment (.log) back to
 * its last durable length and removes the files of a partition directory whose entry was never
 * made durable, dropping all unsynced writes, like LevelDB's fault_injection_test. Only the sync
 * calls and ftruncate are intercepted: the data path writes with pwrite, and a write needs no
 * bookkeeping when durability is decided at sync time. Not modelled: unlink and rename (an entry
 * made durable once stays so; a file removed and created again under the same name without a
 * new directory sync is treated as durable, which errs towards passing), and
 * sync_file_range/O_DSYNC/io_uring (Sluice uses none).
 *
 * Build: cc -shared -fPIC -O2 -o powerloss_shim.so powerloss_shim.c -ldl
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_ftruncate)(int, off_t);
static int (*real_syncfs)(int);
static const char* watch_dir;
static size_t watch_len;
static int journal_fd = -1;

__attribute__((constructor)) static void shim_init(void) {
  real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  real_ftruncate = (int (*)(int, off_t))dlsym(RTLD_NEXT, "ftruncate");
  real_syncfs = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
  watch_dir = getenv("SLUICE_SHIM_DIR");
  const char* journal = getenv("SLUICE_SHIM_JOURNAL");
  if (watch_dir) watch_len = strlen(watch_dir);
  if (journal) journal_fd = open(journal, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* The path of fd if it is the watched directory or under it, else NULL. */
static const char* watched_path(int fd, char* buf, size_t n) {
  if (!watch_dir || journal_fd < 0) return NULL;
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, buf, n - 1);
  if (len <= 0) return NULL;
  buf[len] = 0;
  if (strncmp(buf, watch_dir, watch_len) != 0 || (buf[watch_len] != '/' && buf[watch_len] != 0))
    return NULL;
  return buf;
}

/* Journal lines gathered before a sync and written only once it succeeded. */
struct lines {
  char* buf;
  size_t len, cap;
};

static void add_line(struct lines* l, char kind, long long size, const char* path) {
  char line[PATH_MAX + 64];
  int n = snprintf(line, sizeof line, "%c %lld %s\n", kind, size, path);
  if (n <= 0 || (size_t)n >= sizeof line) return;
  if (l->len + (size_t)n > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4096;
    while (cap < l->len + (size_t)n) cap *= 2;
    char* b = realloc(l->buf, cap);
    if (!b) return;
    l->buf = b;
    l->cap = cap;
  }
  memcpy(l->buf + l->len, line, (size_t)n);
  l->len += (size_t)n;
}

/* Writes the gathered lines one write() each, so that no line interleaves with another's. */
static void flush_lines(struct lines* l) {
  for (size_t at = 0; at < l->len;) {
    const char* nl = memchr(l->buf + at, '\n', l->len - at);
    size_t n = (size_t)(nl - (l->buf + at)) + 1;
    ssize_t w = write(journal_fd, l->buf + at, n);
    (void)w;
    at += n;
  }
  free(l->buf);
  l->buf = NULL;
  l->len = l->cap = 0;
}

/* A D line per entry of dir; with deep, also an S line per regular file and the same for each
 * subdirectory. */
static void add_entries(struct lines* l, const char* dir, int deep) {
  DIR* d = opendir(dir);
  if (!d) return;
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) continue;
    add_line(l, 'D', 0, path);
    if (!deep) continue;
    struct stat st;
    if (lstat(path, &st) != 0) continue;
    if (S_ISREG(st.st_mode)) add_line(l, 'S', (long long)st.st_size, path);
    if (S_ISDIR(st.st_mode)) add_entries(l, path, 1);
  }
  closedir(d);
}

static void journal(char kind, long long size, const char* path) {
  struct lines l = {0};
  add_line(&l, kind, size, path);
  flush_lines(&l);
}

static int synced(int fd, int (*real)(int)) {
  char path[PATH_MAX];
  const char* p = watched_path(fd, path, sizeof path);
  struct stat st;
  struct lines l = {0};
  if (p && fstat(fd, &st) == 0) {
    if (S_ISREG(st.st_mode)) add_line(&l, 'S', (long long)st.st_size, p);
    if (S_ISDIR(st.st_mode)) add_entries(&l, p, 0);
  }
  int r = real(fd);
  if (r == 0) flush_lines(&l);
  free(l.buf);
  return r;
}

int fsync(int fd) { return synced(fd, real_fsync); }
int fdatasync(int fd) { return synced(fd, real_fdatasync); }

/* Every log of a node lives under its one data dir, so a syncfs() through any of its files
 * (the flusher's path for rounds of many files) makes the whole watched tree durable. */
int syncfs(int fd) {
  char path[PATH_MAX];
  const char* p = watched_path(fd, path, sizeof path);
  struct lines l = {0};
  if (p) {
    add_line(&l, 'F', 0, watch_dir);
    add_entries(&l, watch_dir, 1);
  }
  int r = real_syncfs(fd);
  if (r == 0) flush_lines(&l);
  free(l.buf);
  return r;
}

int ftruncate(int fd, off_t length) {
  int r = real_ftruncate(fd, length);
  char path[PATH_MAX];
  const char* p = r == 0 ? watched_path(fd, path, sizeof path) : NULL;
  if (p) journal('T', (long long)length, p);
  return r;
}
