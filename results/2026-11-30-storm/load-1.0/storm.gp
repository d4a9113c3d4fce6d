# render: gnuplot -e "set terminal pngcairo size 1200,700; set output 'storm.png'" storm.gp
set multiplot layout 2,1
set grid lc rgb '#dddddd'; set key outside right top
set object 1 rect from 8.007026, graph 0 to 11.006464, graph 1 fc rgb '#f4cccc' fs solid 0.5 noborder behind
set ylabel 'committed/s'; set title 'Offered 870/s (1.0 x capacity), hot rows locked from 8s for 3s' noenhanced
plot 'none.dat' using 1:2 with lines lw 2 title 'none', 'full-jitter.dat' using 1:2 with lines lw 2 title 'full-jitter', 'full-jitter+budget.dat' using 1:2 with lines lw 2 title 'full-jitter+budget', 870 with lines dt 2 lc rgb '#888888' title 'offered'
set xlabel 'seconds since the run began'; set ylabel 'worst schedule lag (ms)'; set logscale y; set title ''
plot 'none.dat' using 1:($3 > 0 ? $3 : 0.01) with lines lw 2 title 'none', 'full-jitter.dat' using 1:($3 > 0 ? $3 : 0.01) with lines lw 2 title 'full-jitter', 'full-jitter+budget.dat' using 1:($3 > 0 ? $3 : 0.01) with lines lw 2 title 'full-jitter+budget'
unset multiplot
