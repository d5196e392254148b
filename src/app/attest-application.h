#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ATTEST_TYPE_APPLICATION (attest_application_get_type ())
G_DECLARE_FINAL_TYPE (AttestApplication, attest_application, ATTEST, APPLICATION, AdwApplication)

AttestApplication *attest_application_new (void);

G_END_DECLS
