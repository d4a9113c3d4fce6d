# render: gnuplot -e "set terminal pngcairo size 1000,550; set output 'budget.png'" budget.gp
set grid lc rgb '#dddddd'; set key top left
set xlabel 'probability an attempt fails (--inject-retry)'; set ylabel 'attempts per offered transfer (load)'
set title 'Retries with and without a retry budget (20 tokens, refund 0.1 per first-try commit), up to 3 retries' noenhanced
plot 'load.dat' using 1:2 with linespoints lw 2 pt 7 title 'retries, no budget', 'load.dat' using 1:3 with linespoints lw 2 pt 7 title 'retries with a budget', 1.1 with lines dt 2 lc rgb '#888888' title '1.1 (10% extra)'
