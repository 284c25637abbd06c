"""Vendor folders: each one a native client, its models and its adapter.

Every folder has the same shape (see ARCHITECTURE.md): ``client.py`` (the native
client, one method per documented endpoint), ``models.py`` (native attrs models),
``_wire.py`` (cattrs renames and hooks), ``_errors.py`` (envelope -> error),
``_paging.py`` (the vendor's paging spec), ``_auth.py`` (credentials on requests)
and ``adapter.py`` (native <-> shared model; the only module that imports
``crmclients.models``). A vendor never imports another vendor.
"""
