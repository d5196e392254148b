/* placeholder: replaced by the app work */
#include "config.h"
#include "attest-application.h"
struct _AttestApplication { AdwApplication parent_instance; };
G_DEFINE_FINAL_TYPE (AttestApplication, attest_application, ADW_TYPE_APPLICATION)
static void attest_application_class_init (AttestApplicationClass *klass) {}
static void attest_application_init (AttestApplication *self) {}
AttestApplication *attest_application_new (void)
{ return g_object_new (ATTEST_TYPE_APPLICATION, "application-id", APP_ID, NULL); }
