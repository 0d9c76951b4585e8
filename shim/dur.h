/*
 * dur.h - a duration for people, the same in `unblock report` and in the
 * green-thread dump: "850 ns", "12.3 us", "45.6 ms", "1.23 s", three
 * significant digits.
 */
#ifndef UB_DUR_H
#define UB_DUR_H

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

static inline const char *ub_dur_text(uint64_t ns, char *buf, size_t n)
{
  static const struct {
    double ns;
    const char *unit;
  } u[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "us"}};
  for (size_t k = 0; k < 3; k++) {
    double v = (double)ns / u[k].ns;
    if (v >= 1) {
      snprintf(buf, n,
               v < 9.995   ? "%.2f %s"
               : v < 99.95 ? "%.1f %s"
                           : "%.0f %s",
               v, u[k].unit);
      return buf;
    }
  }
  snprintf(buf, n, "%" PRIu64 " ns", ns);
  return buf;
}

#endif
