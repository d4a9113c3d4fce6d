# A retry storm forming and settling: one open-loop run per policy
# Re-render from this folder: gnuplot -e "set terminal pngcairo size 1200,720; set output 'storm-timeseries.png'" storm-timeseries.gp
set encoding utf8
set grid lc rgb '#dddddd'
set key outside right top box opaque
set border lw 1.2
set multiplot layout 2,1 title "Retry storm: open loop at 782 transactions/s offered, hot set 10, 16 workers; the table is locked in the shaded span" font ',13'
set object 1 rect from 1.893, graph 0 to 3.012, graph 1 fc rgb '#e8e8e8' fs solid 1.0 noborder behind
set label 1 "table locked" at 1.893, graph 0.93 offset 0.5,0
set xrange [0:*]
set autoscale xfixmax
set yrange [0:*]
set title "Retries"
set xlabel "elapsed time (s)"
set ylabel "retries/s (per 250 ms interval)"
plot 'data/storm-none.dat' using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#d62728' title 'none', \
     'data/storm-exponential.dat' using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#1f77b4' title 'exponential', \
     'data/storm-full-jitter.dat' using 1:2 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#2ca02c' title 'full-jitter'
set title "Goodput"
set ylabel "committed transactions/s"
plot 'data/storm-none.dat' using 1:3 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#d62728' title 'none', \
     'data/storm-exponential.dat' using 1:3 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#1f77b4' title 'exponential', \
     'data/storm-full-jitter.dat' using 1:3 with linespoints lw 2 pt 7 ps 0.6 lc rgb '#2ca02c' title 'full-jitter'
unset multiplot
