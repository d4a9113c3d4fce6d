# Goodput vs hot-set size, one line per policy
# Re-render from this folder: gnuplot -e "set terminal pngcairo size 1200,720; set output 'goodput-vs-hot.png'" goodput-vs-hot.gp
set encoding utf8
set grid lc rgb '#dddddd'
set key outside right top box opaque
set border lw 1.2
set title "Goodput vs contention: 16 workers, 3s runs, 2 repetitions per point (bars: min–max)"
set xlabel "hot-set size K (accounts all transfers are drawn from; log scale; smaller = more contention)"
set ylabel "goodput (committed transactions/s)"
set logscale x
set xrange [1.42857:140]
set xtics (2, 10, 100)
set yrange [0:*]
plot 'data/goodput-none.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#d62728' title 'none', \
     'data/goodput-constant.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#ff7f0e' title 'constant', \
     'data/goodput-exponential.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#1f77b4' title 'exponential', \
     'data/goodput-full-jitter.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#2ca02c' title 'full-jitter', \
     'data/goodput-equal-jitter.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#9467bd' title 'equal-jitter', \
     'data/goodput-decorrelated-jitter.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#8c564b' title 'decorrelated-jitter', \
     'data/goodput-full-jitter+budget.dat' using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 1.1 lc rgb '#17becf' title 'full-jitter+budget', \
     'data/goodput-pgbench.dat' using 1:2:3:4 with yerrorbars pt 5 ps 1.8 lw 2 lc rgb '#000000' title 'pgbench (no backoff)'
