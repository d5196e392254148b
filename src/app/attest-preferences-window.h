/* attest-preferences-window.h: the match threshold and the reviewer's name. */
#pragma once

#include <adwaita.h>

#include "app/attest-settings.h"
#include "analysis/attest-matcher.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_PREFERENCES_WINDOW (attest_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (AttestPreferencesWindow, attest_preferences_window, ATTEST, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *attest_preferences_window_new (GtkWindow      *parent,
                                          AttestSettings *settings);
/* The false-match rate shown beside the threshold (stats NULL: not known yet); the
 * application sets it whenever the gallery or the threshold changes. */
void       attest_preferences_window_set_impostor_stats (AttestPreferencesWindow   *self,
                                                         const AttestImpostorStats *stats,
                                                         gboolean                   enough);
/* The text shown (for tests). */
const char *attest_preferences_window_get_fmr_text      (AttestPreferencesWindow   *self);

G_END_DECLS
