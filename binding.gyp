# The native backend: one addon, build/Release/tensile_native.node. Kernel files
# (native/src/kernels/*.cc, found by the command below) are compiled once per ISA level
# into static libraries with their own namespace; the addon picks the best level at load
# from CPU features. Never -march=native: the build must run on any CPU of its architecture.
# arm64 builds the portable level and NEON (Advanced SIMD, in every arm64 CPU, so no flags);
# other architectures build only the portable level.
{
  "variables": {
    "kernel_sources": [
      "<!@(node -p \"require('fs').readdirSync('native/src/kernels').filter((f) => f.endsWith('.cc')).sort().map((f) => 'native/src/kernels/' + f).join(' ')\")"
    ]
  },
  "target_defaults": {
    "include_dirs": [
      "native/include",
      "<!(node -p \"require('node-addon-api').include_dir\")"
    ],
    "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
    # -ffp-contract=off: no silent fused multiply-adds (the random kernels must match the js bits);
    # vector kernels ask for FMA explicitly. No -ffast-math: NaN and inf semantics matter.
    "cflags": ["-fPIC", "-fvisibility=hidden"],
    # -Wno-maybe-uninitialized: GCC 12 reports its own AVX-512 intrinsic headers.
    "cflags_cc": ["-O3", "-std=gnu++17", "-Wno-maybe-uninitialized", "-fno-math-errno", "-ffp-contract=off", "-fno-exceptions", "-fno-rtti"],
    "cflags_cc!": ["-O2", "-Os"],
    # macOS: gyp's Xcode flavour reads xcode_settings instead of cflags (same flags, clang's
    # spelling). Not built or tested on macOS yet (no machine here).
    "xcode_settings": {
      "GCC_OPTIMIZATION_LEVEL": "3",
      "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17",
      "GCC_ENABLE_CPP_EXCEPTIONS": "NO",
      "GCC_ENABLE_CPP_RTTI": "NO",
      "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
      "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno", "-ffp-contract=off"]
    }
  },
  "targets": [
    {
      "target_name": "tensile_kernels_generic",
      "type": "static_library",
      "sources": ["<@(kernel_sources)"],
      "defines": ["TENSILE_ISA=generic", "TENSILE_ISA_GENERIC"]
    },
    {
      "target_name": "tensile_native",
      "sources": [
        "native/src/addon/addon.cc",
        "native/src/runtime/allocator.cc",
        "native/src/runtime/cpu.cc",
        "native/src/runtime/registry.cc",
        "native/src/runtime/threadpool.cc"
      ],
      "dependencies": ["tensile_kernels_generic"],
      "conditions": [
        ["target_arch=='x64'", {
          "defines": ["TENSILE_HAVE_X86_ISAS"],
          "dependencies": ["tensile_kernels_avx2", "tensile_kernels_avx512"]
        }],
        ["target_arch=='arm64'", {
          "defines": ["TENSILE_HAVE_ARM_ISAS"],
          "dependencies": ["tensile_kernels_neon"]
        }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "tensile_kernels_avx2",
          "type": "static_library",
          "sources": ["<@(kernel_sources)"],
          "defines": ["TENSILE_ISA=avx2", "TENSILE_ISA_AVX2"],
          "cflags_cc": ["-mavx2", "-mfma", "-mf16c"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno", "-ffp-contract=off", "-mavx2", "-mfma", "-mf16c"]}
        },
        {
          "target_name": "tensile_kernels_avx512",
          "type": "static_library",
          "sources": ["<@(kernel_sources)"],
          "defines": ["TENSILE_ISA=avx512", "TENSILE_ISA_AVX512"],
          "cflags_cc": ["-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma", "-mf16c"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-fno-math-errno", "-ffp-contract=off", "-mavx512f", "-mavx512bw", "-mavx512vl",
                                     "-mavx512dq", "-mavx2", "-mfma", "-mf16c"]
          }
        }
      ]
    }],
    ["target_arch=='arm64'", {
      "targets": [
        {
          "target_name": "tensile_kernels_neon",
          "type": "static_library",
          "sources": ["<@(kernel_sources)"],
          "defines": ["TENSILE_ISA=neon", "TENSILE_ISA_NEON"]
        }
      ]
    }]
  ]
}
