# Retries per committed transaction vs workers, one line per policy
# Re-render from this folder: gnuplot -e "set terminal pngcairo size 1200,720; set output 'retries-vs-workers.png'" retries-vs-workers.gp
set encoding utf8
set grid lc rgb '#dddddd'
set key outside right top box opaque
set border lw 1.2
set title "Retries per committed transaction vs concurrency: hot set 10, 3s runs, 2 repetitions (bars: min–max)"
set xlabel "workers (concurrent transactions, one connection each; log scale)"
set ylabel "retries per committed transaction (log scale)"
set logscale x 2
set logscale y
set xrange [2.85714:89.6]
set xtics (4, 16, 64)
plot 'data/retries-none.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#d62728' title 'none', \
     'data/retries-constant.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#ff7f0e' title 'constant', \
     'data/retries-exponential.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#1f77b4' title 'exponential', \
     'data/retries-full-jitter.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#2ca02c' title 'full-jitter', \
     'data/retries-equal-jitter.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#9467bd' title 'equal-jitter', \
     'data/retries-decorrelated-jitter.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#8c564b' title 'decorrelated-jitter', \
     'data/retries-full-jitter+budget.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#17becf' title 'full-jitter+budget', \
     'data/retries-pgbench.dat' using 1:2:3:4 with yerrorbars pt 5 ps 1.8 lw 2 lc rgb '#000000' title 'pgbench (no backoff)'
