/* internal to lib/: the tools in cmd/ do not include it. */
/* simd: CRM_SIMD_CLONES marks a hot loop of plain C that the compiler vectorises much better
 * with AVX2 (bytes widened to 64-bit values, 64-bit compares) than with the x86-64 baseline
 * (SSE2). GCC then builds both versions and picks one when the program starts, by what the
 * CPU has (an ifunc), so the binary runs on any x86-64. Invariant: both versions compute the
 * same thing; elsewhere (other CPUs, clang, sanitizer builds) the mark is empty. */
#ifndef CRM_SIMD_H
#define CRM_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__ELF__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && \
    !defined(CRM_NO_SIMD_CLONES)
#define CRM_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CRM_SIMD_CLONES
#endif

#endif
