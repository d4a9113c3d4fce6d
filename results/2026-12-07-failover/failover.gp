# committed/s through a failover; render: gnuplot -e "set terminal pngcairo size 1100,600; set output 'failover.png'" failover.gp
set grid lc rgb '#dddddd'; set key outside right top box
set xlabel 'seconds since the run began'; set ylabel 'committed transactions/s (250 ms intervals)'
set title 'A primary killed and its standby promoted mid-run: 8 workers, multi-host DSN, target_session_attrs=read-write' noenhanced
set arrow from 6.27, graph 0 to 6.27, graph 1 nohead dt 2 lc rgb '#1f77b4'
set arrow from 6.86, graph 0 to 6.86, graph 1 nohead dt 2 lc rgb '#d62728'
plot 'sync.dat' using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb '#1f77b4' title 'sync replication', 'async.dat' using 1:2 with linespoints pt 7 ps 0.5 lw 2 lc rgb '#d62728' title 'async replication'
