{
  "targets": [
    {
      "target_name": "velox_native",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/handles.cc",
        "native/layout.cc",
        "native/libbpf-log.cc",
        "native/maps.cc",
        "native/object.cc",
        "native/pins.cc",
        "native/testrun.cc",
        "native/xdp.cc"
      ],
      "actions": [
        {
          "action_name": "lb_names",
          "inputs": ["native/gen-lb-names.mjs", "bpf/lb.h"],
          "outputs": ["<(INTERMEDIATE_DIR)/lb-names.h"],
          "action": ["node", "native/gen-lb-names.mjs", "bpf/lb.h", "<(INTERMEDIATE_DIR)/lb-names.h"]
        }
      ],
      "include_dirs": [
        "<!@(node -p \"require('node-addon-api').include\")",
        "bpf",
        "<(INTERMEDIATE_DIR)"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags": ["-Wall", "-Wextra", "-Wno-missing-field-initializers"],
      "cflags_cc": ["-std=c++17", "-fexceptions"],
      "configurations": {
        "Release": { "cflags!": ["-O3"], "cflags": ["-O2"] }
      },
      "libraries": ["<!@(pkg-config --libs libbpf)"]
    }
  ]
}
