"""Forms: validate what people type; the services decide what may happen."""

from .lending import BookingForm
from .listing import ListingForm, MultipleFileInput, PhotosField
from .responses import DoneForm, ReopenForm, ReplyForm, RespondForm
from .search import SearchForm
from .watches import WatchForm

__all__ = [
    "BookingForm",
    "DoneForm",
    "ListingForm",
    "MultipleFileInput",
    "PhotosField",
    "ReopenForm",
    "ReplyForm",
    "RespondForm",
    "SearchForm",
    "WatchForm",
]
