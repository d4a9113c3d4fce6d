# render: gnuplot -e "set terminal pngcairo size 1400,1200" connstorm.gp (writes connstorm-*.png)
set grid lc rgb '#dddddd'; set key top right; set xlabel 's since the workers started'
set output 'connstorm-short-timeout.png'
set multiplot layout 4,1 columnsfirst
set ylabel 'workers connected'; set title 'direct, terminate at 6s, connect_timeout=1 (2 s)' noenhanced
unset logscale y
plot 'direct-terminate-none-ct1.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'none-ct1', 'direct-terminate-full-jitter-ct1.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'full-jitter-ct1'
set ylabel 'connection attempts/s'; set title '' noenhanced
set logscale y
plot 'direct-terminate-none-ct1.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'none-ct1', 'direct-terminate-full-jitter-ct1.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'full-jitter-ct1'
set ylabel 'server CPU (cores)'; set title '' noenhanced
unset logscale y
plot 'direct-terminate-none-ct1.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'none-ct1', 'direct-terminate-full-jitter-ct1.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'full-jitter-ct1'
set ylabel 'committed/s'; set title '' noenhanced
unset logscale y
plot 'direct-terminate-none-ct1.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'none-ct1', 'direct-terminate-full-jitter-ct1.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'full-jitter-ct1'
unset multiplot
