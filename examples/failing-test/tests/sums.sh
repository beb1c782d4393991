# Passing checks of add.
add="$NIXKIT_BUILD_calc/bin/add"
[ "$("$add" 1 2 3)" = 6 ] && echo "ok 1+2+3"
[ "$("$add")" = 0 ] && echo "ok empty"
