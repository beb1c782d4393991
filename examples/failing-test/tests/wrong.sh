# A test that fails on purpose: nixkit's CI tests need one.
add="$NIXKIT_BUILD_calc/bin/add"
result="$("$add" 2 2)"
echo "2 + 2 = $result, expected 5"
[ "$result" = 5 ]
