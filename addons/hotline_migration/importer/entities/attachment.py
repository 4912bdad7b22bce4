"""Attachments: the legacy files on the disk, stored as ir.attachment.create stores them, on their case."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .base import Entity, Rejected, text


class Attachments(Entity):
    name, model = "attachments", "ir.attachment"

    def _attachments_root(self):
        # once a run, not a Path and a stat for every row
        root = self.__dict__.get("_root")
        if root is None:
            root = self.importer.attachments_root or self.mapping.attachments_root
            if root:
                root = Path(root)
            else:
                location = Path(self.importer.source.location)
                # a CSV folder or a workbook: the paths are relative to where the export lies
                root = location if location.is_dir() else location.parent
            self._root = root
        return root

    def convert(self, row, columns):
        case_id = self._ref(row, columns, "case", "cases", "orphan reference")
        if case_id is None:
            raise Rejected(columns["case"], "orphan reference", "")
        relative = text(row.get(columns["path"])).replace("\\", "/")
        path = self._attachments_root() / relative
        if not relative or not path.is_file():
            raise Rejected(columns["path"], "missing file", relative)
        return {"case_id": case_id, "path": path, "name": text(row.get(columns.get("name"))) or path.name}

    ATTACHMENT_COLUMNS = ("name", "description", "res_model", "res_id", "type", "mimetype", "file_size", "checksum",
                          "index_content", "store_fname", "db_datas", "hotline_legacy_case_id")

    def write(self, batch):  # pylint: disable=method-required-super
        """What ir.attachment.create does for a file (content checks, mimetype, checksum, index, filestore),
        one COPY for the rows."""
        Attachment = self.env["ir.attachment"].sudo()
        inserter = self._inserter("ir.attachment", self.ATTACHMENT_COLUMNS)
        ids = inserter.new_ids(len(batch))
        rows = []
        db_storage = Attachment._storage() == "db"
        stored = self.__dict__.setdefault("_stored_files", {})
        files = []
        for _legacy_id, vals in batch:
            values = Attachment._check_contents({"name": vals["name"], "raw": vals["path"].read_bytes()})
            raw = values.pop("raw")
            # the same file again (a scanned form attached to many cases): its values once per run, not
            # the filestore's byte-by-byte collision check for each copy
            key = (Attachment._compute_checksum(raw), values["mimetype"])
            if key not in stored:
                stored[key] = Attachment._get_datas_related_values(raw, values["mimetype"])
                if raw and not db_storage:
                    files.append((raw, stored[key]["checksum"]))
            values.update(stored[key])
            rows.append((values["name"], str(vals["path"]), "hotline.case", vals["case_id"], "binary",
                         values["mimetype"], values["file_size"], values["checksum"], values["index_content"],
                         values["store_fname"] or None,
                         "\\x" + values["db_datas"].hex() if values["db_datas"] else None, vals["case_id"]))
        # the filestore's files are created side by side: each creation (the file and its garbage-collection
        # mark) waits on the disk, not on Python (20,000 cases: 5 s of 7.7 s for 2,040 files one by one)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda file: Attachment._file_write(*file), files))  # a failed write raises here
        inserter.insert(ids, rows)
        self.counts["attachments"]["created"] += len(batch)
        return [(legacy_id, res_id) for (legacy_id, _vals), res_id in zip(batch, ids, strict=False)]
