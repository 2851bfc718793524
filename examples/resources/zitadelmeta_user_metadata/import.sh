# Every key of the user:
terraform import zitadelmeta_user_metadata.ci_bot 259241575254245650

# Just some keys; write \, for a comma and \\ for a backslash inside a key:
terraform import 'zitadelmeta_user_metadata.support["alice"]' '259241575254245651:support.name,support.tier'
