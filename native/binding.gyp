{
  "targets": [
    {
      "target_name": "kts_native",
      "sources": [
        "addon.c",
        "addr.c",
        "errno.c",
        "fd.c",
        "mem.c",
        "msg.c",
        "netns.c",
        "poll.c",
        "sched.c",
        "signal.c",
        "sockopt.c",
        "stop-send.c",
        "stream.c",
        "timer.c"
      ],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "cflags!": ["-fno-exceptions"]
    },
    {
      "target_name": "kts_mapfile",
      "sources": ["mapfile.c"],
      "defines": ["_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-fvisibility=hidden"]
    }
  ]
}
