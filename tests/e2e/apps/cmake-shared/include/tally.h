#ifndef TALLY_H
#define TALLY_H

#include <stddef.h>

#if defined(__GNUC__)
#define TALLY_API __attribute__((visibility("default")))
#else
#define TALLY_API
#endif

#define TALLY_MAX_WORDS 256

struct tally_entry {
  const char *word;
  unsigned count;
};

struct tally {
  struct tally_entry entries[TALLY_MAX_WORDS];
  size_t unique;
  size_t total;
  const char *longest;
};

/* Library version, e.g. "1.2.0". */
TALLY_API const char *tally_version(void);
/* Reset t to an empty tally. */
TALLY_API void tally_init(struct tally *t);
/* Count one word (the pointer is kept, not copied). Returns -1 when full. */
TALLY_API int tally_add(struct tally *t, const char *word);
/* The most frequent word (the alphabetically first on ties), or NULL. */
TALLY_API const struct tally_entry *tally_top(const struct tally *t);

#endif
