/* attest-cli-private.h: shared by attest-cli.c and attest-cli-watch.c. */
#pragma once

#include <glib.h>

#include "analysis/attest-matcher.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

enum
{
  EXIT_OK = 0,
  EXIT_BAD_INPUT = 1,
  EXIT_USAGE = 2,
  EXIT_SETUP = 3,
};

#define MAX_FACES 256

typedef struct
{
  char         *database;
  char         *models;
  AttestVision *vision;
  AttestStore  *store;    /* the gallery the command opened, checkpointed at the end */
} Cli;

/* "attest-cli: WHAT: MESSAGE" on stderr. */
void     cli_error          (const char      *what,
                             const char      *message);
/* JSON text for a string (quoted, escaped), and a number with `decimals` digits. */
void     append_json_string (GString         *out,
                             const char      *value);
void     append_json_number (GString         *out,
                             double           value,
                             int              decimals);
gboolean cli_load_vision    (Cli             *cli);
gboolean cli_open_store     (Cli             *cli,
                             AttestStore    **out);
/* The search index and the identities' names from the gallery. */
gboolean cli_load_gallery   (Cli             *cli,
                             AttestStore     *store,
                             AttestMatcher  **matcher_out,
                             GHashTable     **names_out);
/* {"item": N, "file": "…", "start_ms": T0, "end_ms": T1, "candidates": [{"identity": "…",
 * "score": S}]} on stdout: the candidates at or above the threshold, best first. */
void     cli_print_item     (AttestStore     *store,
                             const char      *file,
                             gint64           item_id);

/* attest-cli-watch.c */
extern const GOptionEntry cli_watch_entries[];
int      cli_watch          (Cli             *cli,
                             int              argc,
                             char           **argv);

G_END_DECLS
