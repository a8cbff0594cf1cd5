"""Forms: validate what people type; the services decide what may happen."""

from .lending import BookingForm
from .listing import KindForm, ListingForm, MultipleFileInput, PhotosField
from .responses import DoneForm, ReopenForm, ReplyForm, RespondForm
from .search import SearchForm
from .watches import WatchForm

__all__ = [
    "BookingForm",
    "DoneForm",
    "KindForm",
    "ListingForm",
    "MultipleFileInput",
    "PhotosField",
    "ReopenForm",
    "ReplyForm",
    "RespondForm",
    "SearchForm",
    "WatchForm",
]
