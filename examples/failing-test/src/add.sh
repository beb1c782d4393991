#!/bin/sh
# add: prints the sum of its integer arguments.
sum=0
for n in "$@"; do sum=$((sum + n)); done
echo "$sum"
