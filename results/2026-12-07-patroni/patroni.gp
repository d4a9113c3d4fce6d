# committed/s through Patroni faults; render: gnuplot -e "set terminal pngcairo size 1400,900; set output 'patroni.png'" patroni.gp
set multiplot layout 2,2 title 'txstorm through Patroni faults: 8 workers, uniform transfers, committed/s per 250 ms interval (plotted at its end)' noenhanced
set grid lc rgb '#dddddd'; set key top left box opaque; set xrange [-4:*]; set yrange [0:*]
set xlabel 'seconds since the old leader went down (Patroni events)'; set ylabel 'committed/s'
unset arrow
set arrow from 1.417, graph 0 to 1.417, graph 1 nohead dt 2 lw 1.5 lc rgb '#1f77b4'
set arrow from 1.378, graph 0 to 1.378, graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728'
set title 'sync, switchover; dashed: new leader writable' noenhanced
plot 'sync-switchover-multi.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'multi', 'sync-switchover-haproxy.dat' using 1:2 with lines lw 2 lc rgb '#d62728' title 'haproxy'
unset arrow
set arrow from 2.664, graph 0 to 2.664, graph 1 nohead dt 2 lw 1.5 lc rgb '#1f77b4'
set arrow from 3.464, graph 0 to 3.464, graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728'
set title 'sync, kill-leader; dashed: new leader writable' noenhanced
plot 'sync-kill-leader-multi.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'multi', 'sync-kill-leader-haproxy.dat' using 1:2 with lines lw 2 lc rgb '#d62728' title 'haproxy'
unset arrow
set arrow from 1.414, graph 0 to 1.414, graph 1 nohead dt 2 lw 1.5 lc rgb '#1f77b4'
set arrow from 1.360, graph 0 to 1.360, graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728'
set title 'async, switchover; dashed: new leader writable' noenhanced
plot 'async-switchover-multi.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'multi', 'async-switchover-haproxy.dat' using 1:2 with lines lw 2 lc rgb '#d62728' title 'haproxy'
unset arrow
set arrow from 2.545, graph 0 to 2.545, graph 1 nohead dt 2 lw 1.5 lc rgb '#1f77b4'
set arrow from 2.463, graph 0 to 2.463, graph 1 nohead dt 2 lw 1.5 lc rgb '#d62728'
set title 'async, kill-leader; dashed: new leader writable' noenhanced
plot 'async-kill-leader-multi.dat' using 1:2 with lines lw 2 lc rgb '#1f77b4' title 'multi', 'async-kill-leader-haproxy.dat' using 1:2 with lines lw 2 lc rgb '#d62728' title 'haproxy'
unset multiplot
