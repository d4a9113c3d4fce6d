# render: gnuplot -e "set terminal pngcairo size 1400,1200" connstorm.gp (writes connstorm-*.png)
set grid lc rgb '#dddddd'; set key top right; set xlabel 's since the workers started'
set output 'connstorm-terminate.png'
set multiplot layout 4,1 columnsfirst
set ylabel 'workers connected'; set title 'direct, terminate at 6s (300 workers, 600/s)' noenhanced
unset logscale y
plot 'direct-terminate-none.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'none', 'direct-terminate-exponential.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'exponential', 'direct-terminate-full-jitter.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'full-jitter'
set ylabel 'connection attempts/s'; set title '' noenhanced
set logscale y
plot 'direct-terminate-none.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'none', 'direct-terminate-exponential.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'exponential', 'direct-terminate-full-jitter.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'full-jitter'
set ylabel 'server CPU (cores)'; set title '' noenhanced
unset logscale y
plot 'direct-terminate-none.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'none', 'direct-terminate-exponential.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'exponential', 'direct-terminate-full-jitter.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'full-jitter'
set ylabel 'committed/s'; set title '' noenhanced
unset logscale y
plot 'direct-terminate-none.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'none', 'direct-terminate-exponential.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'exponential', 'direct-terminate-full-jitter.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'full-jitter'
unset multiplot
set output 'connstorm-restart.png'
set multiplot layout 4,1 columnsfirst
set ylabel 'workers connected'; set title 'direct, restart at 6s (300 workers, 600/s)' noenhanced
unset logscale y
plot 'direct-restart-none.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'none', 'direct-restart-exponential.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'exponential', 'direct-restart-full-jitter.dat' using 1:($4 > 0 || 0 != 1 ? $4 : 1/0) with lines lw 2 title 'full-jitter'
set ylabel 'connection attempts/s'; set title '' noenhanced
set logscale y
plot 'direct-restart-none.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'none', 'direct-restart-exponential.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'exponential', 'direct-restart-full-jitter.dat' using 1:($3 > 0 || 1 != 1 ? $3 : 1/0) with lines lw 2 title 'full-jitter'
set ylabel 'server CPU (cores)'; set title '' noenhanced
unset logscale y
plot 'direct-restart-none.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'none', 'direct-restart-exponential.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'exponential', 'direct-restart-full-jitter.dat' using 1:($5 > 0 || 2 != 1 ? $5 : 1/0) with lines lw 2 title 'full-jitter'
set ylabel 'committed/s'; set title '' noenhanced
unset logscale y
plot 'direct-restart-none.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'none', 'direct-restart-exponential.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'exponential', 'direct-restart-full-jitter.dat' using 1:($2 > 0 || 3 != 1 ? $2 : 1/0) with lines lw 2 title 'full-jitter'
unset multiplot
