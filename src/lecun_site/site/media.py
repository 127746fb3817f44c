"""The site's images: each with what its sidecar says, and every picture a record shows checked
against them (a missing file is an error naming the record's file and line)."""

from __future__ import annotations

import posixpath
from dataclasses import replace

from ..content.media import content_root, is_external, resolve
from ..errors import Problems, did_you_mean
from ..records import Media, Picture


def media_table(content, problems: Problems) -> dict[str, Media]:
    """Every image by content-relative path, with its sidecar's alt text, caption and credit."""
    info = {i.path: i for i in content.media_info}
    table: dict[str, Media] = {}
    for media in content.media:
        found = info.get(media.path)
        table[media.path] = replace(media, alt=found.alt, caption=found.caption, credit=found.credit) if found else media
    for path in sorted(set(info) - set(table)):
        problems.warn(path + ".yaml", f"a sidecar for '{posixpath.basename(path)}', which is not there",
                      hint="name it after its image: photo.jpg.yaml beside photo.jpg")
    return dict(sorted(table.items()))


def check_pictures(media: dict[str, Media], content, people: dict, events: dict, problems: Problems) -> None:
    """Each picture a note, transcript, person or event shows resolves to an image of the site."""
    root = content_root(content.config.path)

    def check(record_path: str | None, picture: Picture | None, shown_in: str | None = None) -> None:
        shown_in = shown_in or record_path
        if picture is None or is_external(picture.target):
            return
        if picture.target.startswith("/"):
            problems.warn(shown_in, f"image '{picture.target}' is a path of the site it was written for; "
                                       "it is shown as written", line=picture.line,
                          hint="put the file beside this one, or in content/media/ and write @/media/NAME")
            return
        key = resolve(picture.target, record_path, root)
        if key is None or key not in media:
            base = posixpath.dirname(record_path) if record_path else posixpath.join(root, "media")
            near = did_you_mean(picture.target, [posixpath.relpath(k, base) for k in media])
            problems.link_error(shown_in, f"image '{picture.target}' not found", line=picture.line,
                                hint=near or "put the file beside this one, or in content/media/ and write @/media/NAME")

    for note in content.notes:
        check(note.path, note.image)
        for picture in note.pictures:
            check(note.path, picture)
    for transcript in content.transcripts:  # turns are shown apart from their file: media/ is their folder
        for picture in transcript.pictures:
            check(None, picture, transcript.path)
    for person in people.values():
        check(person.path, person.image)
    for event in events.values():
        check(event.path, event.image)
