# Latency CDF of committed transactions, one line per policy
# Re-render from this folder: gnuplot -e "set terminal pngcairo size 1200,720; set output 'latency-cdf.png'" latency-cdf.gp
set encoding utf8
set grid lc rgb '#dddddd'
set key outside right top box opaque
set border lw 1.2
# Room at the right for one legend beside both panels.
set multiplot layout 1,2 margins 0.06,0.76,0.12,0.88 spacing 0.08,0 title "Latency of committed transactions (retries and backoff included): hot set 10, 16 workers, 2 repetitions pooled" font ',13'
set title "CDF"
set xlabel "latency (ms, log scale)"
set ylabel "fraction of committed transactions at or below"
set logscale x
set yrange [0:1]
unset key
plot 'data/cdf-none.dat' using 1:2 with lines lw 2 lc rgb '#d62728' notitle, \
     'data/cdf-constant.dat' using 1:2 with lines lw 2 lc rgb '#ff7f0e' notitle, \
     'data/cdf-exponential.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' notitle, \
     'data/cdf-full-jitter.dat' using 1:2 with lines lw 2 lc rgb '#2ca02c' notitle, \
     'data/cdf-equal-jitter.dat' using 1:2 with lines lw 2 lc rgb '#9467bd' notitle, \
     'data/cdf-decorrelated-jitter.dat' using 1:2 with lines lw 2 lc rgb '#8c564b' notitle, \
     'data/cdf-full-jitter+budget.dat' using 1:2 with lines lw 2 lc rgb '#17becf' notitle, \
     'data/cdf-pgbench.dat' using 1:2 with lines lw 2 lc rgb '#000000' notitle
set title "Tail: latency at each percentile"
set xlabel "percentile (log scale of 1/(1-p))"
set ylabel "latency (ms, log scale)"
unset logscale
set logscale xy
set xrange [1:*]
set autoscale xfixmax
set yrange [*:*]
set key at screen 0.78, 0.5 left center vertical Left reverse box samplen 3
set xtics ("50%%" 2, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
plot 'data/cdf-none.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#d62728' title 'none', \
     'data/cdf-constant.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#ff7f0e' title 'constant', \
     'data/cdf-exponential.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#1f77b4' title 'exponential', \
     'data/cdf-full-jitter.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#2ca02c' title 'full-jitter', \
     'data/cdf-equal-jitter.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#9467bd' title 'equal-jitter', \
     'data/cdf-decorrelated-jitter.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#8c564b' title 'decorrelated-jitter', \
     'data/cdf-full-jitter+budget.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#17becf' title 'full-jitter+budget', \
     'data/cdf-pgbench.dat' using ($2 < 1 ? 1 / (1 - $2) : NaN):1 with lines lw 2 lc rgb '#000000' title 'pgbench (no backoff)'
unset multiplot
