#!/usr/bin/env bash
# Patroni in synchronous_mode (scripts/patroni: etcd, three PostgreSQL 15 nodes, HAProxy on
# GET /primary): a planned switchover and a kill -9 of the leader's postmaster, each under
# a run through the multi-host DSN (target_session_attrs=read-write) and under one through
# HAProxy, on one cluster. Every run exits 0 with nothing acknowledged lost and every
# ambiguous commit resolved; through the multi-host DSN the run's outage window is within
# 0.5 s of Patroni's own: old primary down -> new primary accepting connections.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/patroni_lib.sh"

patroni_start --sync
multi=$CLUSTER_DSN
proxy=$HAPROXY_DSN

for fault in switchover kill-leader; do
    # What marks the old primary's end in the cluster's logs (see patroni_times).
    ev=shutdown
    [[ $fault == kill-leader ]] && ev=killed
    for via in multi proxy; do
        old=$("$patroni" leader "$P")
        through_fault "$fault-$via" "${!via}" "$fault"
        assert_survived "$fault-$via"
        if [[ $via == multi ]]; then
            assert_window "$fault-$via" "$old" "$ev"
        else
            assert_window "$fault-$via" "$old" "$ev" --report
        fi
    done
done
