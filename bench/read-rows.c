// The read bound of a decoding step: 2 threads dot 768-float rows of a 500 MB matrix with one vector, rows handed
// out in chunks of 64 (the access pattern of Ablate's and PyTorch's matrix-vector decoding), and print GB/s and the
// GPT-2-small tokens/s it allows (498 MB of fp32 weights per token). For measuring only; nothing in the build runs it.
//   gcc -O3 -march=native -fopenmp bench/read-rows.c -o bench/target/read-rows && OMP_NUM_THREADS=2 bench/target/read-rows
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    size_t n = (size_t) 125 * 1024 * 1024; // floats: 500 MB
    float *a = aligned_alloc(64, n * sizeof(float));
    if (!a) { fprintf(stderr, "read-rows: cannot allocate 500 MB\n"); return 1; }
    #pragma omp parallel for
    for (size_t i = 0; i < n; i++) a[i] = 1e-3f * (float) (i % 1000);
    float x[768];
    for (int i = 0; i < 768; i++) x[i] = 1.0f / (float) (i + 1);
    for (int rep = 0; rep < 8; rep++) {
        double t = omp_get_wtime();
        float total = 0;
        #pragma omp parallel for reduction(+:total) schedule(dynamic, 64)
        for (size_t r = 0; r < n / 768; r++) {
            __m512 s = _mm512_setzero_ps();
            const float *row = a + r * 768;
            for (int p = 0; p < 768; p += 16) s = _mm512_fmadd_ps(_mm512_loadu_ps(row + p), _mm512_loadu_ps(x + p), s);
            total += _mm512_reduce_add_ps(s);
        }
        t = omp_get_wtime() - t;
        printf("{\"read_gbs\": %.1f, \"gpt2_small_tokens_per_s\": %.1f, \"check\": %.1f}\n",
               n * 4.0 / t / 1e9, n * 4.0 / t / 497.8e6, total);
    }
    free(a);
    return 0;
}
