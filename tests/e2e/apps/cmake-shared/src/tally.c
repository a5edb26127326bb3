#include "tally.h"

#include <string.h>

const char *tally_version(void) { return TALLY_VERSION; }

void tally_init(struct tally *t) { memset(t, 0, sizeof *t); }

int tally_add(struct tally *t, const char *word) {
  size_t i;
  t->total++;
  if (t->longest == NULL || strlen(word) > strlen(t->longest)) t->longest = word;
  for (i = 0; i < t->unique; i++) {
    if (strcmp(t->entries[i].word, word) == 0) {
      t->entries[i].count++;
      return 0;
    }
  }
  if (t->unique == TALLY_MAX_WORDS) return -1;
  t->entries[t->unique].word = word;
  t->entries[t->unique].count = 1;
  t->unique++;
  return 0;
}

const struct tally_entry *tally_top(const struct tally *t) {
  const struct tally_entry *best = NULL;
  size_t i;
  for (i = 0; i < t->unique; i++) {
    const struct tally_entry *e = &t->entries[i];
    if (best == NULL || e->count > best->count ||
        (e->count == best->count && strcmp(e->word, best->word) < 0))
      best = e;
  }
  return best;
}
