// ucrun's preemption timer: one host thread that calls uc_emu_stop() on the engine that is
// running when its time slice ends. Built by scripts/setup.sh (gcc -shared), loaded with koffi.
//
// Why not uc_emu_start's own timeout: Unicorn creates and joins a thread for every timed
// uc_emu_start and that thread polls with usleep, so each short run (every blocking syscall
// ends one) would pay a thread creation plus up to one poll period before it returns.
//
// Contract (all under one mutex):
// - ucw_arm(uc, us): once `us` microseconds have passed the watchdog calls uc_emu_stop(uc),
//   and again every 200 us until disarmed (a stop that lands before uc_emu_start has begun is
//   forgotten by it). Called right before uc_emu_start, or during a run to move the deadline.
// - ucw_disarm(): after it returns the watchdog never touches that uc again (so the engine may
//   be closed); returns 1 if the stop fired. Called right after uc_emu_start returns.
// - uc_emu_stop from another thread is what Unicorn's own timeout does; with Unicorn >= 2.1.4
//   the run resumes correctly at the saved pc (scripts/repro-unicorn-timeout.mjs).
// - The thread re-arms its sleep only when the new deadline is earlier than the one it sleeps
//   towards, so back-to-back short runs cost two uncontended mutex operations and no wake-up.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

typedef int (*uc_emu_stop_fn)(void *uc);

/** How often a stop is repeated until the engine's run is disarmed. */
#define RETRY_NS 200000

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static uc_emu_stop_fn emu_stop;
static void *target;          /* the armed engine, or NULL */
static int64_t deadline;      /* CLOCK_MONOTONIC ns of the armed stop */
static int64_t sleeping_until;/* what the thread waits for now; INT64_MAX: idle */
static int fired;
static int started;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void *loop(void *arg) {
  (void)arg;
  pthread_mutex_lock(&mu);
  for (;;) {
    if (!target) {
      sleeping_until = INT64_MAX;
      pthread_cond_wait(&cv, &mu);
      continue;
    }
    int64_t now = now_ns();
    if (now >= deadline) {
      // uc_emu_start clears a stop request made before it began, so a stop can be lost when
      // the deadline comes right after arming: repeat it until the run is disarmed.
      emu_stop(target);
      fired = 1;
      deadline = now + RETRY_NS;
    }
    sleeping_until = deadline;
    struct timespec ts = { (time_t)(deadline / 1000000000), (long)(deadline % 1000000000) };
    pthread_cond_timedwait(&cv, &mu, &ts);
  }
  return NULL;
}

/** Start the thread; `unicorn` is the path of the libunicorn already loaded. 0 on success. */
int ucw_init(const char *unicorn) {
  if (started) return 0;
  // The thread outlives any dlclose at host exit: pin this library and libunicorn in memory
  // (RTLD_NODELETE), or their code could be unmapped under the sleeping thread.
  Dl_info self;
  if (!dladdr((void *)ucw_init, &self) || !dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) return -4;
  void *h = dlopen(unicorn, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  if (!h) h = dlopen(unicorn, RTLD_NOW | RTLD_NODELETE);
  if (!h) return -1;
  emu_stop = (uc_emu_stop_fn)dlsym(h, "uc_emu_stop");
  if (!emu_stop) return -2;
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&cv, &ca);
  sleeping_until = INT64_MAX;
  pthread_t th;
  pthread_attr_t at;
  pthread_attr_init(&at);
  pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
  pthread_attr_setstacksize(&at, 64 * 1024);
  if (pthread_create(&th, &at, loop, NULL) != 0) return -3;
  started = 1;
  return 0;
}

void ucw_arm(void *uc, double us) {
  pthread_mutex_lock(&mu);
  target = uc;
  deadline = now_ns() + (int64_t)(us * 1000);
  fired = 0;
  if (deadline < sleeping_until) pthread_cond_signal(&cv);
  pthread_mutex_unlock(&mu);
}

int ucw_disarm(void) {
  pthread_mutex_lock(&mu);
  target = NULL;
  int f = fired;
  fired = 0;
  pthread_mutex_unlock(&mu);
  return f;
}
