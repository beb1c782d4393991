# Runs greet's test cases; with --junit FILE also writes a JUnit report.
set -u
junit=""
if [ "${1:-}" = "--junit" ]; then junit="$2"; fi
greet="$NIXKIT_BUILD_greet/bin/greet"
passed=0
failed=0
cases=""

check() {
    local name="$1" expected="$2" actual="$3"
    if [ "$expected" = "$actual" ]; then
        passed=$((passed + 1))
        cases="$cases<testcase classname=\"greet\" name=\"$name\"/>"
        echo "ok   $name"
    else
        failed=$((failed + 1))
        cases="$cases<testcase classname=\"greet\" name=\"$name\"><failure message=\"output differs\"/></testcase>"
        echo "FAIL $name"
        printf '  expected: %s\n  actual:   %s\n' "$expected" "$actual"
    fi
}

check "one name" "$(printf 'Hello, Ada!\ngreeted 1 person')" "$("$greet" ada)"
check "two names" "$(printf 'Hello, Ada!\nHello, Alan!\ngreeted 2 people')" "$("$greet" ADA alan)"
check "stdin" "$(printf 'Hello, Grace!\ngreeted 1 person')" "$(printf '  grace \n\n' | "$greet")"
check "custom greeting" "$(printf 'Hi, Ada!\ngreeted 1 person')" "$(GREETING=Hi "$greet" ada)"
check "nobody" "greeted 0 people" "$(printf '' | "$greet")"

if [ -n "$junit" ]; then
    printf '<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="greet" tests="%d" failures="%d">%s</testsuite>\n' \
        "$((passed + failed))" "$failed" "$cases" > "$junit"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
