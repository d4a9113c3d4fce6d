# render: gnuplot -e "set terminal pngcairo size 1200,500; set output 'jitter.png'" jitter.gp
set multiplot layout 1,2
set grid lc rgb '#dddddd'; set key top left; set xlabel 'workers (one transfer each, same two accounts)'
set ylabel 'attempts (calls), all workers'; set title 'Work' noenhanced
plot 'calls.dat' using 1:2 with linespoints lw 2 pt 7 title 'none', 'calls.dat' using 1:3 with linespoints lw 2 pt 7 title 'constant', 'calls.dat' using 1:4 with linespoints lw 2 pt 7 title 'exponential', 'calls.dat' using 1:5 with linespoints lw 2 pt 7 title 'full-jitter', 'calls.dat' using 1:6 with linespoints lw 2 pt 7 title 'equal-jitter', 'calls.dat' using 1:7 with linespoints lw 2 pt 7 title 'decorrelated-jitter'
set ylabel 'seconds to finish'; set logscale y; set title 'Time' noenhanced
plot 'time.dat' using 1:2 with linespoints lw 2 pt 7 title 'none', 'time.dat' using 1:3 with linespoints lw 2 pt 7 title 'constant', 'time.dat' using 1:4 with linespoints lw 2 pt 7 title 'exponential', 'time.dat' using 1:5 with linespoints lw 2 pt 7 title 'full-jitter', 'time.dat' using 1:6 with linespoints lw 2 pt 7 title 'equal-jitter', 'time.dat' using 1:7 with linespoints lw 2 pt 7 title 'decorrelated-jitter'
unset multiplot
