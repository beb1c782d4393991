# greet: one greeting per name (arguments, or lines of stdin), then a count.
# The greeting comes from $GREETING (default "Hello"); names are trimmed and capitalised.
function capitalise(name) {
    return toupper(substr(name, 1, 1)) tolower(substr(name, 2))
}
function greet(name) {
    gsub(/^[ \t]+|[ \t]+$/, "", name)
    if (name == "") return
    printf "%s, %s!\n", greeting, capitalise(name)
    count++
}
BEGIN {
    greeting = ENVIRON["GREETING"] != "" ? ENVIRON["GREETING"] : "Hello"
    count = 0
    for (i = 1; i < ARGC; i++) greet(ARGV[i])
    if (ARGC > 1) { summary(); exit }
}
{ greet($0) }
END { if (ARGC <= 1) summary() }
function summary() {
    printf "greeted %d %s\n", count, count == 1 ? "person" : "people"
}
