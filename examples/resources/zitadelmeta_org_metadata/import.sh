# Every key of the organization:
terraform import zitadelmeta_org_metadata.tenant 259241575254245644

# Just some keys; write \, for a comma and \\ for a backslash inside a key:
terraform import zitadelmeta_org_metadata.branding '259241575254245643:theme,support_mail,logo'
