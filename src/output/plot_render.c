/* Runs gnuplot over the charts' data in a private temporary directory and
 * writes the page around the SVGs it draws; an interruption stops gnuplot
 * and takes the directory with it. */
#include "txstorm/plot_render.h"
#include "txstorm/errbuf.h"
#include "txstorm/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SCRIPT "plot.gp"
#define LOG "gnuplot.log"

/* The private directory and what is written into it, to be removed. */
struct workdir {
    char path[4096];
    char names[3 * OPTIONS_MAX_INPUTS + CHART_COUNT + 2][32];
    int n_names;
};

static int dir_file(const struct workdir *w, const char *name, char *out, size_t len)
{
    int n = snprintf(out, len, "%s/%s", w->path, name);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void workdir_remove(struct workdir *w)
{
    char file[4200];
    for (int i = 0; i < w->n_names; i++)
        if (dir_file(w, w->names[i], file, sizeof file) == 0) unlink(file);
    rmdir(w->path);
}

/* Notes name as the directory's, so it is removed; its full path in out. */
static int workdir_name(struct workdir *w, const char *name, char *out, size_t len)
{
    if (w->n_names >= (int)(sizeof w->names / sizeof w->names[0])) return -1;
    snprintf(w->names[w->n_names++], sizeof w->names[0], "%s", name);
    return dir_file(w, name, out, len);
}

/* SIGINT, SIGTERM or SIGHUP while plot works must not end the process with
 * gnuplot still drawing and the directory left behind: the handler stops
 * gnuplot at once, the work stops at its next step, the directory goes, and
 * the signal is raised again to end the process as it would have. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
#define N_STOP_SIGNALS (sizeof stop_signals / sizeof *stop_signals)
static volatile sig_atomic_t stop_signal, gnuplot_pid;

static void on_stop(int sig)
{
    stop_signal = sig;
    /* gnuplot draws only into the directory about to go: nothing to finish. */
    if (gnuplot_pid > 0) kill((pid_t)gnuplot_pid, SIGKILL);
}

struct stop_actions {
    struct sigaction old[N_STOP_SIGNALS];
    bool taken[N_STOP_SIGNALS];
};

static void stop_signals_take(struct stop_actions *a)
{
    stop_signal = 0;
    gnuplot_pid = 0;
    struct sigaction sa = {.sa_handler = on_stop}; /* no SA_RESTART: a wait ends early */
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        /* One ignored on entry (nohup, a background job) stays ignored. */
        a->taken[i] = sigaction(stop_signals[i], NULL, &a->old[i]) == 0 &&
                      a->old[i].sa_handler != SIG_IGN && sigaction(stop_signals[i], &sa, NULL) == 0;
}

/* The actions as they were; a signal taken meanwhile now ends the process. */
static void stop_signals_give_back(const struct stop_actions *a)
{
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        if (a->taken[i]) sigaction(stop_signals[i], &a->old[i], NULL);
    if (stop_signal) raise(stop_signal);
}

static sigset_t stop_signal_set(void)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < N_STOP_SIGNALS; i++)
        sigaddset(&set, stop_signals[i]);
    return set;
}

/* In the child, before exec: the signals as the parent got them. */
static void child_signals_reset(const sigset_t *mask)
{
    for (size_t i = 0; i < N_STOP_SIGNALS; i++) {
        struct sigaction now;
        if (sigaction(stop_signals[i], NULL, &now) == 0 && now.sa_handler == on_stop)
            signal(stop_signals[i], SIG_DFL);
    }
    sigprocmask(SIG_SETMASK, mask, NULL);
}

struct data_arg {
    const struct plot_result *r;
    enum plot_file f;
};

static int write_data(FILE *out, const void *arg)
{
    const struct data_arg *d = arg;
    return plot_write_data(out, d->r, d->f);
}

struct script_arg {
    const struct plot_result *r;
    int n;
};

static int write_script(FILE *out, const void *arg)
{
    const struct script_arg *s = arg;
    return plot_write_script(out, s->r, s->n);
}

static int write_in(struct workdir *w, const char *name, int (*write)(FILE *, const void *),
                    const void *arg, char *err, size_t err_len)
{
    char path[4200];
    if (workdir_name(w, name, path, sizeof path) != 0)
        return errbuf_fail(err, err_len, "plot: too many files for %s", w->path);
    FILE *f = fopen(path, "w");
    if (f == NULL) return errbuf_fail(err, err_len, "plot: %s: %s", path, strerror(errno));
    int rc = write(f, arg);
    if (fclose(f) != 0 || rc != 0)
        return errbuf_fail(err, err_len, "plot: %s: could not be written", path);
    return 0;
}

/* The last non-empty line of gnuplot's log, for the error. */
static void last_log_line(const struct workdir *w, char *out, size_t len)
{
    char path[4200], line[512];
    out[0] = '\0';
    if (dir_file(w, LOG, path, sizeof path) != 0) return;
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[strspn(line, " \t^")]) snprintf(out, len, "%s", line + strspn(line, " \t"));
    }
    if (f) fclose(f);
}

/* gnuplot SCRIPT in the directory, no shell, its output into LOG. An exec
 * failure comes back as errno through a close-on-exec pipe. */
static enum plot_status run_gnuplot(struct workdir *w, char *err, size_t err_len)
{
    char log[4200];
    if (workdir_name(w, LOG, log, sizeof log) != 0) return PLOT_FAILED;
    int report[2];
    if (pipe(report) != 0) {
        errbuf_fail(err, err_len, "plot: pipe: %s", strerror(errno));
        return PLOT_FAILED;
    }
    if (fcntl(report[1], F_SETFD, FD_CLOEXEC) != 0) {
        errbuf_fail(err, err_len, "plot: pipe: %s", strerror(errno));
        close(report[0]);
        close(report[1]);
        return PLOT_FAILED;
    }
    fflush(NULL);
    /* Blocked until gnuplot_pid is set: a signal in between would miss gnuplot. */
    sigset_t stops = stop_signal_set(), mask;
    sigprocmask(SIG_BLOCK, &stops, &mask);
    pid_t pid = stop_signal ? -1 : fork();
    if (pid < 0) {
        int e = errno;
        sigprocmask(SIG_SETMASK, &mask, NULL);
        close(report[0]);
        close(report[1]);
        if (stop_signal) return PLOT_INTERRUPTED;
        errbuf_fail(err, err_len, "plot: fork: %s", strerror(e));
        return PLOT_FAILED;
    }
    if (pid == 0) {
        child_signals_reset(&mask);
        int null = open("/dev/null", O_RDONLY),
            logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (chdir(w->path) == 0 && null >= 0 && logfd >= 0 && dup2(null, 0) == 0 &&
            dup2(logfd, 1) == 1 && dup2(logfd, 2) == 2)
            execlp("gnuplot", "gnuplot", SCRIPT, (char *)NULL);
        int e = errno;
        ssize_t ignored = write(report[1], &e, sizeof e);
        (void)ignored;
        _exit(127);
    }
    gnuplot_pid = pid;
    sigprocmask(SIG_SETMASK, &mask, NULL);
    close(report[1]);
    int exec_errno = 0;
    ssize_t got;
    do
        got = read(report[0], &exec_errno, sizeof exec_errno);
    while (got < 0 && errno == EINTR);
    close(report[0]);
    int status = 0;
    siginfo_t ended;
    while (waitid(P_PID, (id_t)pid, &ended, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    /* Forgotten before it is reaped: the handler never kills its pid once
     * another process may have it. */
    gnuplot_pid = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (stop_signal) return PLOT_INTERRUPTED;
    if (got == (ssize_t)sizeof exec_errno) {
        if (exec_errno == ENOENT) {
            errbuf_fail(err, err_len,
                        "plot: gnuplot not found on PATH (Debian: apt-get install gnuplot-nox)");
            return PLOT_NO_GNUPLOT;
        }
        errbuf_fail(err, err_len, "plot: gnuplot could not be started: %s", strerror(exec_errno));
        return PLOT_FAILED;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char line[512];
        last_log_line(w, line, sizeof line);
        errbuf_fail(err, err_len, "plot: gnuplot failed%s%s", line[0] ? ": " : "", line);
        return PLOT_FAILED;
    }
    return PLOT_OK;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) return NULL;
    char *text = NULL;
    size_t len = 0, got;
    FILE *mem = open_memstream(&text, &len);
    char buf[8192];
    while (mem && (got = fread(buf, 1, sizeof buf, f)) > 0)
        fwrite(buf, 1, got, mem);
    bool bad = ferror(f) || mem == NULL;
    fclose(f);
    if (mem && fclose(mem) != 0) bad = true;
    if (bad) {
        free(text);
        return NULL;
    }
    return text;
}

/* Each chart gnuplot drew, ready to sit inline; NULL for one not drawn. */
static enum plot_status read_charts(struct workdir *w, const struct plot_result *r, int n,
                                    char *svgs[CHART_COUNT], char *err, size_t err_len)
{
    for (int c = 0; c < CHART_COUNT; c++) {
        if (!plot_chart_drawn(r, n, c)) continue;
        char name[32], path[4200], prefix[16];
        snprintf(name, sizeof name, "chart%d.svg", c);
        if (dir_file(w, name, path, sizeof path) != 0) return PLOT_FAILED;
        char *svg = read_all(path);
        snprintf(prefix, sizeof prefix, "c%d-", c);
        svgs[c] = plot_svg_inline(svg, prefix);
        free(svg);
        if (svgs[c] == NULL) {
            errbuf_fail(err, err_len, "plot: gnuplot drew no SVG into %s", path);
            return PLOT_FAILED;
        }
    }
    return PLOT_OK;
}

static enum plot_status draw(struct workdir *w, const struct plot_result *r, int n,
                             char *svgs[CHART_COUNT], char *err, size_t err_len)
{
    for (int i = 0; i < n; i++) {
        for (int f = 0; f < FILE_COUNT; f++) {
            char name[32];
            plot_file_name(i, f, name, sizeof name);
            struct data_arg d = {&r[i], f};
            if (write_in(w, name, write_data, &d, err, err_len) != 0) return PLOT_FAILED;
        }
    }
    /* Named before gnuplot runs, so what it leaves on a failure is removed too. */
    for (int c = 0; c < CHART_COUNT; c++) {
        char name[32], path[4200];
        snprintf(name, sizeof name, "chart%d.svg", c);
        if (plot_chart_drawn(r, n, c) && workdir_name(w, name, path, sizeof path) != 0)
            return PLOT_FAILED;
    }
    struct script_arg s = {r, n};
    if (write_in(w, SCRIPT, write_script, &s, err, err_len) != 0) return PLOT_FAILED;
    enum plot_status st = run_gnuplot(w, err, err_len);
    return st == PLOT_OK ? read_charts(w, r, n, svgs, err, err_len) : st;
}

struct page {
    const struct plot_result *r;
    int n;
    char **texts;
    char **svgs;
};

static int write_page(FILE *out, const void *arg)
{
    const struct page *p = arg;
    return plot_write_html(out, p->r, p->n, (const char *const *)p->texts,
                           (const char *const *)p->svgs);
}

enum plot_status plot_render_html(const char *path, const struct plot_result *r, int n, char *err,
                                  size_t err_len)
{
    struct workdir w = {0};
    struct stop_actions stops;
    stop_signals_take(&stops);
    const char *tmp = getenv("TMPDIR");
    snprintf(w.path, sizeof w.path, "%s/txstorm-plot.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(w.path) == NULL) {
        errbuf_fail(err, err_len, "plot: a temporary directory in %s: %s",
                    tmp && *tmp ? tmp : "/tmp", strerror(errno));
        stop_signals_give_back(&stops);
        return PLOT_FAILED;
    }
    char *svgs[CHART_COUNT] = {0};
    char **texts = calloc((size_t)n, sizeof *texts);
    enum plot_status st = texts ? draw(&w, r, n, svgs, err, err_len) : PLOT_FAILED;
    if (texts == NULL) errbuf_fail(err, err_len, "plot: out of memory");
    workdir_remove(&w);
    for (int i = 0; st == PLOT_OK && i < n; i++) {
        size_t len;
        FILE *mem = open_memstream(&texts[i], &len);
        if (mem) report_print_text(mem, r[i].s);
        if (mem) fclose(mem);
    }
    struct page page = {r, n, texts, svgs};
    if (st == PLOT_OK && stop_signal) st = PLOT_INTERRUPTED;
    if (st == PLOT_OK && outfile_write(path, write_page, &page, err, err_len) != 0)
        st = PLOT_OUTPUT;
    for (int i = 0; texts && i < n; i++)
        free(texts[i]);
    free(texts);
    for (int c = 0; c < CHART_COUNT; c++)
        free(svgs[c]);
    if (st == PLOT_INTERRUPTED) errbuf_fail(err, err_len, "plot: interrupted, nothing written");
    stop_signals_give_back(&stops);
    return st;
}
