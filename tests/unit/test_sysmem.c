/* Memory headroom: the kernel's files parsed, and the histograms' size known
 * before they are made. */
#include "txstorm/cgroup.h"
#include "txstorm/stats.h"
#include "txstorm/sysmem.h"

#include "cmocka_prelude.h"

static void the_kernels_files_are_read(void **state)
{
    (void)state;
    assert_true(sysmem_parse_meminfo("MemTotal:       24000000 kB\nMemFree:  100 kB\n"
                                     "MemAvailable:   2048 kB\nBuffers: 1 kB\n") == 2048 * 1024);
    assert_true(sysmem_parse_meminfo("MemTotal: 1 kB\n") == 0);
    assert_true(sysmem_parse_limit("max\n") == UINT64_MAX);
    assert_true(sysmem_parse_limit("536870912\n") == 536870912);
    assert_true(sysmem_parse_limit("") == 0);
    const char *stat = "anon 1000\nfile 5000\nactive_file 1000\ninactive_file 4000\n";
    assert_true(cgroup_parse_stat(stat, "inactive_file") == 4000);
    assert_true(cgroup_parse_stat(stat, "active_file") == 1000);
    assert_true(cgroup_parse_stat(stat, "total_inactive_file") == 0);
    /* This process can allocate something, or cannot tell. */
    (void)sysmem_headroom_bytes();
}

static void a_cpu_quotas_hold_back_is_read(void **state)
{
    (void)state;
    const char *v2 = "usage_usec 5000\nnr_periods 10\nnr_throttled 4\nthrottled_usec 3500\n";
    assert_true(cgroup_parse_stat(v2, "throttled_usec") == 3500);
    assert_true(cgroup_parse_stat(v2, "nr_throttled") == 4);
    const char *v1 = "nr_periods 10\nnr_throttled 4\nthrottled_time 3500000\n";
    assert_true(cgroup_parse_stat(v1, "throttled_time") == 3500000);
    assert_true(cgroup_parse_stat(v1, "throttled") == 0);
    /* Never negative, whether or not this process has a quota. */
    assert_true(cgroup_cpu_throttled_us() >= 0);
}

static void histogram_memory_is_known_before_it_is_taken(void **state)
{
    (void)state;
    for (int f = 1; f <= 5; f++) {
        struct hist *h = hist_create(STATS_HIST_HIGHEST, f);
        assert_non_null(h);
        assert_int_equal(hist_bytes(STATS_HIST_HIGHEST, f),
                         sizeof *h + (size_t)h->counts_len * sizeof *h->counts);
        hist_destroy(h);
    }
    assert_int_equal(hist_bytes(STATS_HIST_HIGHEST, 6), 0);
    /* The README's figure: about 117 MB per set of histograms at 5 significant figures. */
    assert_true(stats_bytes(5) > 117000000 && stats_bytes(5) < 118000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_kernels_files_are_read),
        cmocka_unit_test(a_cpu_quotas_hold_back_is_read),
        cmocka_unit_test(histogram_memory_is_known_before_it_is_taken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
