{
  "targets": [
    {
      "target_name": "afalg",
      "sources": [
        "native/addon.cc",
        "native/afalg.cc",
        "native/handles.cc",
        "native/jobs.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NODE_API_NO_EXTERNAL_BUFFERS_ALLOWED",
        # A thread-pool job that ends while its worker thread is being terminated cannot
        # settle its promise (the environment runs no more JavaScript); without this,
        # node-addon-api rethrows that failure as a C++ exception and the process aborts.
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-Werror", "-fexceptions"],
      "configurations": {
        "Release": {
          "cflags_cc": ["-fvisibility=hidden", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong"],
          "ldflags": ["-Wl,--gc-sections", "-Wl,-z,relro,-z,now"]
        },
        "Debug": {
          "defines": ["NODE_ADDON_API_ENABLE_TYPE_CHECK_ON_AS"]
        }
      }
    }
  ]
}
