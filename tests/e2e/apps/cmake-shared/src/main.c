#include <stdio.h>

#include "tally.h"

int main(int argc, char **argv) {
  struct tally t;
  const struct tally_entry *top;
  int i;

  tally_init(&t);
  for (i = 1; i < argc; i++) {
    if (tally_add(&t, argv[i]) != 0) {
      fprintf(stderr, "tally: more than %d different words\n", TALLY_MAX_WORDS);
      return 1;
    }
  }
  top = tally_top(&t);
  printf("tally %s (libtally.so.1): words=%zu unique=%zu top=%s:%u longest=%s\n",
         tally_version(), t.total, t.unique, top ? top->word : "-", top ? top->count : 0,
         t.longest ? t.longest : "-");
  return 0;
}
