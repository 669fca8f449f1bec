# Sourced by the comparison scripts (after cd to the checkout): builds bench/core-latency.c and defines rtt, which
# prints the median round trip in ns of a cache line between two threads on the two CPUs, i.e. where a virtual
# machine's host has put its vCPUs (~40-130 ns sharing a cache, ~360-460 not) at that moment.
mkdir -p bench/target
gcc -O2 -pthread bench/core-latency.c -o bench/target/core-latency
rtt() { bench/target/core-latency | sed -n 's/.*"round_trip_ns": {"median": \([0-9.]*\).*/\1/p'; }
